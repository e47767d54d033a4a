#pragma once
// The values of one ParamTable's parameters. Every way in (typed setters, text from a URL query
// or the CLI, JSON configs in param_json.hpp) validates against the table, so a ParamValues always
// holds a value of the right type and range for every parameter.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/params/param_table.hpp"

namespace soma {

class ParamValues {
 public:
  // Every value at its default. Keeps its own copy of the table, so it can outlive `table`.
  explicit ParamValues(const ParamTable& table);

  const ParamTable& table() const { return *table_; }

  // Typed getters; an unknown name or a getter of the wrong type throws ParamError naming it.
  const ParamValue& get(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  double get_float(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;  // string or choice

  // Setters check type, range and choices (see check_value); `source` prefixes error messages.
  void set(std::string_view name, const ParamValue& v, const std::string& source = "");
  void set_bool(std::string_view name, bool v) { set(name, v); }
  void set_int(std::string_view name, int64_t v) { set(name, v); }
  void set_float(std::string_view name, double v) { set(name, v); }
  void set_string(std::string_view name, const std::string& v) { set(name, v); }
  // Text as a user types it: "0.01", "true", "lif".
  void set_from_string(std::string_view name, std::string_view text,
                       const std::string& source = "");
  // "key=value", e.g. one URL query parameter.
  void apply_assignment(std::string_view assignment, const std::string& source = "");
  // A URL query string "a=1&b=x%20y" (without the '?'), percent-decoded; all or nothing.
  void apply_query(std::string_view query, const std::string& source = "URL query");
  // The values that differ from their defaults as a query string, for a shareable URL.
  std::string to_query() const;

  bool is_default(std::string_view name) const;
  void reset();  // every value back to its default

  // Compares values only; meant for values of the same table.
  bool operator==(const ParamValues& o) const { return values_ == o.values_; }

 private:
  size_t index(std::string_view name) const;
  const ParamValue& typed(std::string_view name, ParamType t1, ParamType t2) const;
  std::shared_ptr<const ParamTable> table_;  // shared by copies; never mutated
  std::vector<ParamValue> values_;           // parallel to table_->specs()
};

// Splits "a=1&b=x%20y" into decoded (key, value) pairs; throws ParamError on a part without '='
// or a bad %-escape. '+' decodes to a space, as browsers encode forms.
std::vector<std::pair<std::string, std::string>> parse_query(
    std::string_view query, const std::string& source = "URL query");
// %-encodes everything outside [A-Za-z0-9-_.~].
std::string url_encode(std::string_view text);

}  // namespace soma
