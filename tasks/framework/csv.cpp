#include "tasks/framework/csv.hpp"

#include <stdexcept>

#include "core/io/atomic_write.hpp"

namespace soma {

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
    for (size_t k = 0; k < names.size(); ++k) o << (k ? "," : "") << names[k];
    o << '\n';
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < columns.size(); ++k) o << (k ? "," : "") << columns[k][r];
      o << '\n';
    }
  });
}

void write_series_csv(const std::string& path, const std::vector<Series>& series) {
  write_file_atomic(path, [&](std::ostream& o) {
    o.precision(9);
    o << "series,x,y\n";
    for (const Series& s : series)
      for (size_t i = 0; i < s.x.size(); ++i) o << s.name << ',' << s.x[i] << ',' << s.y[i] << '\n';
  });
}

}  // namespace soma
