#include "core/params/param_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace soma {
namespace {

// Shortest "%g" form that reads back as the same double, so 0.002 prints as 0.002, not
// 0.0020000000000000001.
std::string format_double(double x) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

// A found value for an error message: strings quoted so an empty or numeric string is visible.
std::string describe(const ParamValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return "string \"" + *s + "\"";
  return to_string(v);
}

std::optional<ParamValue> convert(const ParamSpec& spec, const ParamValue& v) {
  const double* d = std::get_if<double>(&v);
  switch (spec.type) {
    case ParamType::boolean:
      if (std::holds_alternative<bool>(v)) return v;
      break;
    case ParamType::integer:
      if (std::holds_alternative<int64_t>(v)) return v;
      // 2^63 bounds the doubles that fit in an int64.
      if (d && std::isfinite(*d) && std::trunc(*d) == *d && std::abs(*d) < 9.2233720368547758e18)
        return int64_t(*d);
      break;
    case ParamType::real:
      if (d && std::isfinite(*d)) return v;
      if (auto* i = std::get_if<int64_t>(&v)) return double(*i);
      break;
    case ParamType::string:
      if (std::holds_alternative<std::string>(v)) return v;
      break;
    case ParamType::choice:
      if (auto* s = std::get_if<std::string>(&v))
        if (std::find(spec.choices.begin(), spec.choices.end(), *s) != spec.choices.end()) return v;
      break;
  }
  return std::nullopt;
}

bool in_range(const ParamSpec& spec, const ParamValue& v) {
  if (!spec.is_number()) return true;
  double x = std::holds_alternative<double>(v) ? std::get<double>(v) : double(std::get<int64_t>(v));
  return (!spec.min || x >= *spec.min) && (!spec.max || x <= *spec.max);
}

std::optional<bool> parse_bool(const std::string& s) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return std::nullopt;
}

// strtod, not from_chars: libc++ 14 (Emscripten) has no floating-point from_chars.
std::optional<double> parse_double(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return x;
}

std::optional<ParamValue> parse_as(ParamType type, const std::string& s) {
  switch (type) {
    case ParamType::boolean:
      if (auto b = parse_bool(s)) return *b;
      return std::nullopt;
    case ParamType::integer: {
      int64_t i = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && end == s.data() + s.size()) return i;
      // "1e3" or "2.5": parsed as a double so that check_value reports what was found.
      if (auto d = parse_double(s)) return *d;
      return std::nullopt;
    }
    case ParamType::real:
      if (auto d = parse_double(s)) return *d;
      return std::nullopt;
    case ParamType::string:
    case ParamType::choice:
      return s;
  }
  return std::nullopt;
}

}  // namespace

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::boolean:
      return "bool";
    case ParamType::integer:
      return "int";
    case ParamType::real:
      return "float";
    case ParamType::string:
      return "string";
    case ParamType::choice:
      return "choice";
  }
  return "?";
}

std::string to_string(const ParamValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return format_double(*d);
  return std::get<std::string>(v);
}

ParamError ParamError::about(const std::string& source, std::string_view key,
                             const std::string& problem) {
  std::string prefix = source.empty() ? "" : source + ": ";
  return ParamError(prefix + "parameter '" + std::string(key) + "': " + problem);
}

std::string ParamSpec::constraint() const {
  if (type == ParamType::choice) {
    std::string s = "one of {";
    for (size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
    return s + "}";
  }
  if (!is_number()) return "";
  if (min && max) return "in [" + format_double(*min) + ", " + format_double(*max) + "]";
  if (min) return ">= " + format_double(*min);
  if (max) return "<= " + format_double(*max);
  return "";
}

std::string ParamSpec::expected() const {
  switch (type) {
    case ParamType::boolean:
      return "a bool (true or false)";
    case ParamType::string:
      return "a string";
    case ParamType::choice:
      return constraint();
    default:
      break;
  }
  std::string c = constraint();
  return std::string(type == ParamType::integer ? "an int" : "a float") + (c.empty() ? "" : " ") +
         c;
}

ParamValue check_value(const ParamSpec& spec, const ParamValue& v, const std::string& source) {
  std::optional<ParamValue> out = convert(spec, v);
  if (!out || !in_range(spec, *out))
    throw ParamError::about(source, spec.name,
                            "expected " + spec.expected() + ", found " + describe(v));
  return *out;
}

ParamValue parse_value(const ParamSpec& spec, std::string_view text, const std::string& source) {
  std::string s(text);
  std::optional<ParamValue> v = parse_as(spec.type, s);
  if (!v)
    throw ParamError::about(source, spec.name,
                            "expected " + spec.expected() + ", found '" + s + "'");
  return check_value(spec, *v, source);
}

}  // namespace soma
