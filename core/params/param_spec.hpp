#pragma once
// One task parameter: its type, default, range or choices, help, and the checks that every way
// of setting it (setters, JSON configs, URL queries, CLI flags) goes through.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace soma {

enum class ParamType { boolean, integer, real, string, choice };
const char* type_name(ParamType t);  // "bool", "int", "float", "string", "choice"

// Integers are int64 and floats double, so a JSON config round-trips exactly.
using ParamValue = std::variant<bool, int64_t, double, std::string>;

// The value as a user would type it: shortest round-trip form for floats, strings unquoted.
std::string to_string(const ParamValue& v);

// A bad parameter name or value, from a setter, a config file, a URL query or the CLI.
class ParamError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
  // "<source>: parameter '<key>': <problem>", without the source part when it is empty.
  static ParamError about(const std::string& source, std::string_view key,
                          const std::string& problem);
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::real;
  ParamValue default_value = 0.0;
  std::optional<double> min, max;    // numbers only, both inclusive
  std::vector<std::string> choices;  // choice only
  std::string help;
  bool restart = false;  // a change takes effect only after a task reset (the GUI marks it)
  std::vector<std::string> aliases;  // other names accepted everywhere (e.g. max_epochs)

  bool is_number() const { return type == ParamType::integer || type == ParamType::real; }
  // What a valid value looks like, for messages: "a float in [1e-06, 1]", "one of {a, b}".
  std::string expected() const;
  // Just the range or the choices: "in [1e-06, 1]", ">= 1", "one of {a, b}", or "".
  std::string constraint() const;
};

// Converts `v` to the spec's type where nothing is lost (an int for a float, 3.0 for an int), then
// checks range and choices. Throws ParamError naming `source` (a file, "URL query"; may be empty),
// the key, what was expected and what was found.
ParamValue check_value(const ParamSpec& spec, const ParamValue& v, const std::string& source = "");
// Parses text a user typed (a CLI flag, a URL query) as the spec's type, then check_value.
ParamValue parse_value(const ParamSpec& spec, std::string_view text,
                       const std::string& source = "");

}  // namespace soma
