#include "tasks/framework/run_record.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tasks/framework/csv.hpp"

namespace soma {
namespace {

using json = nlohmann::json;

json number(double v) {
  return std::isnan(v) ? json(nullptr) : json(v);
}

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

json parse(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    bad(where, std::string("not valid JSON (") + e.what() + ")");
  }
}

// A JSON array of numbers (or nulls, as NaN, when allowed).
std::vector<double> numbers(const json& a, const std::string& where, bool allow_null) {
  if (!a.is_array()) bad(where, "expected an array of numbers");
  std::vector<double> v;
  for (const json& x : a) {
    if (x.is_number())
      v.push_back(x.get<double>());
    else if (x.is_null() && allow_null)
      v.push_back(NAN);
    else
      bad(where, "expected a number, found " + std::string(x.type_name()));
    if (std::isinf(v.back())) bad(where, "a value is infinite");
  }
  return v;
}

}  // namespace

void MetricsTable::add(std::vector<double> row) {
  if (row.size() != columns_.size())
    throw std::invalid_argument("metrics: a row of " + std::to_string(row.size()) + " values for " +
                                std::to_string(columns_.size()) + " columns");
  rows_.push_back(std::move(row));
}

std::string MetricsTable::to_json() const {
  json a = json::array();
  for (const auto& row : rows_) {
    json r = json::array();
    for (double v : row) r.push_back(number(v));
    a.push_back(std::move(r));
  }
  return a.dump();
}

void MetricsTable::from_json(const std::string& text, const std::string& where, size_t required) {
  json a = parse(text, where);
  if (!a.is_array()) bad(where, "expected an array of rows");
  std::vector<std::vector<double>> rows;
  for (size_t r = 0; r < a.size(); ++r) {
    const std::string at = where + " row " + std::to_string(r + 1);
    std::vector<double> row = numbers(a[r], at, true);
    if (row.size() != columns_.size())
      bad(at, std::to_string(row.size()) + " values for " + std::to_string(columns_.size()) +
                  " columns");
    for (size_t k = 0; k < required; ++k)
      if (std::isnan(row[k])) bad(at, "no value for " + columns_[k]);
    rows.push_back(std::move(row));
  }
  rows_ = std::move(rows);
}

void MetricsTable::write_csv(const std::string& path) const {
  std::vector<std::vector<double>> cols(columns_.size());
  for (const auto& row : rows_)
    for (size_t k = 0; k < row.size(); ++k) cols[k].push_back(row[k]);
  soma::write_csv(path, columns_, cols);
}

std::string series_to_json(const Telemetry& t) {
  json a = json::array();
  for (const Series& s : t.series()) {
    json x = json::array(), y = json::array();
    for (double v : s.x) x.push_back(number(v));
    for (double v : s.y) y.push_back(number(v));
    a.push_back({{"name", s.name}, {"x", std::move(x)}, {"y", std::move(y)}});
  }
  return a.dump();
}

void series_from_json(Telemetry& t, const std::string& text, const std::string& where) {
  json a = parse(text, where);
  if (!a.is_array()) bad(where, "expected an array of series");
  for (const json& s : a) {
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string() || !s.contains("x") ||
        !s.contains("y"))
      bad(where, "expected {\"name\", \"x\", \"y\"} for every series");
    const std::string name = s["name"].get<std::string>();
    std::vector<double> x = numbers(s["x"], where + " series '" + name + "'", true);
    std::vector<double> y = numbers(s["y"], where + " series '" + name + "'", true);
    if (x.size() != y.size()) bad(where, "series '" + name + "': x and y differ in length");
    t.set_points(name, std::move(x), std::move(y));
  }
}

void write_record(Metadata& meta, const MetricsTable& metrics, const Telemetry& t) {
  meta["record.metrics"] = metrics.to_json();
  meta["record.series"] = series_to_json(t);
}

void read_record(const Checkpoint& c, MetricsTable& metrics, Telemetry& t, size_t required,
                 size_t rows) {
  MetricsTable m(metrics.columns());
  m.from_json(c.at("record.metrics"), c.path + " record.metrics", required);
  if (m.rows().size() != rows)
    c.fail("record.metrics has " + std::to_string(m.rows().size()) + " rows, expected " +
           std::to_string(rows));
  Telemetry restored = t;
  series_from_json(restored, c.at("record.series"), c.path + " record.series");
  metrics = std::move(m);
  t = std::move(restored);
}

}  // namespace soma
