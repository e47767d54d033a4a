#include "tasks/framework/csv.hpp"

#include <cmath>
#include <stdexcept>

#include "core/io/atomic_write.hpp"

namespace soma {
namespace {

// Enough digits to round-trip a float32; a NaN (a value that does not exist, such as the
// validation loss of a run without a validation split) is an empty cell, -0 is 0.
void put_number(std::ostream& o, double v) {
  if (std::isnan(v)) return;
  o << (v == 0 ? 0.0 : v);
}

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void write_csv(const std::string& path, const std::vector<std::string>& names,
               const std::vector<std::vector<double>>& columns) {
  if (names.size() != columns.size())
    throw std::invalid_argument(path + ": " + std::to_string(names.size()) + " names for " +
                                std::to_string(columns.size()) + " columns");
  size_t rows = columns.empty() ? 0 : columns[0].size();
  for (const auto& c : columns)
    if (c.size() != rows) throw std::invalid_argument(path + ": columns of unequal length");
  write_file_atomic(path, [&](std::ostream& o) {
    o.precision(9);
    for (size_t k = 0; k < names.size(); ++k) o << (k ? "," : "") << csv_field(names[k]);
    o << '\n';
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < columns.size(); ++k) {
        if (k) o << ',';
        put_number(o, columns[k][r]);
      }
      o << '\n';
    }
  });
}

void write_series_csv(const std::string& path, const std::vector<Series>& series) {
  write_file_atomic(path, [&](std::ostream& o) {
    o.precision(9);
    o << "series,x,y\n";
    for (const Series& s : series) {
      const std::string name = csv_field(s.name);
      for (size_t i = 0; i < s.x.size(); ++i) {
        o << name << ',';
        put_number(o, s.x[i]);
        o << ',';
        put_number(o, s.y[i]);
        o << '\n';
      }
    }
  });
}

}  // namespace soma
