#include "core/params/param_json.hpp"

#include <limits>
#include <optional>

#include "core/io/atomic_write.hpp"
#include "core/io/json_text.hpp"

namespace soma {
namespace {

// The JSON value as the closest ParamValue; check_value then decides whether it fits the spec.
std::optional<ParamValue> from_json_scalar(const nlohmann::json& v) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::boolean:
      return v.get<bool>();
    case T::number_integer:
      return v.get<int64_t>();
    case T::number_unsigned: {
      auto u = v.get<uint64_t>();
      if (u <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(u);
      return double(u);  // too big for any int param; check_value reports it
    }
    case T::number_float:
      return v.get<double>();
    case T::string:
      return v.get<std::string>();
    default:
      return std::nullopt;
  }
}

}  // namespace

nlohmann::ordered_json params_to_json(const ParamValues& values) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const ParamSpec& spec : values.table())
    std::visit([&](const auto& x) { j[spec.name] = x; }, values.get(spec.name));
  return j;
}

void apply_params_json(ParamValues& values, const nlohmann::json& j, const std::string& source) {
  if (!j.is_object())
    throw ParamError(source + ": expected a JSON object of parameters, found " +
                     std::string(j.type_name()));
  ParamValues next = values;
  for (const auto& [key, v] : j.items()) {
    int i = values.table().find(key);
    if (i < 0) throw values.table().unknown(key, source);
    std::optional<ParamValue> pv = from_json_scalar(v);
    if (!pv) {
      const ParamSpec& spec = values.table().specs()[size_t(i)];
      throw ParamError::about(source, key,
                              "expected " + spec.expected() + ", found " + v.type_name());
    }
    next.set(key, *pv, source);
  }
  values = std::move(next);
}

void save_params_json(const ParamValues& values, const std::string& path) {
  // Replacing invalid UTF-8 (a string param may come from a URL) beats failing to save.
  std::string text =
      params_to_json(values).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  write_file_atomic(path, text + "\n");
}

void apply_params_json_file(ParamValues& values, const std::string& path) {
  nlohmann::json j;
  try {
    j = read_json_file(path);  // bounded size and depth; errors name the file
  } catch (const JsonError& e) {
    throw ParamError(e.what());
  }
  apply_params_json(values, j, path);
}

ParamValues params_from_json_file(const ParamTable& table, const std::string& path) {
  ParamValues values(table);
  apply_params_json_file(values, path);
  return values;
}

}  // namespace soma
