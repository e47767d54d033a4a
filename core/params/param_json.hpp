#pragma once
// JSON configs: one object {"name": value, ...} in table order. Saving writes every value; loading
// may set any subset, and rejects unknown keys, mistyped and out-of-range values with a ParamError
// that names the file, the key, what was expected and what was found.
#include <nlohmann/json.hpp>
#include <string>

#include "core/params/param_values.hpp"

namespace soma {

nlohmann::ordered_json params_to_json(const ParamValues& values);
// All or nothing: on an error `values` is unchanged. `source` names the origin in messages.
void apply_params_json(ParamValues& values, const nlohmann::json& j,
                       const std::string& source = "JSON");

// Written atomically (temp file, then rename), so a crash never leaves half a config.
void save_params_json(const ParamValues& values, const std::string& path);
// A missing file or a syntax error (with nlohmann's byte position) is a ParamError naming the file.
void apply_params_json_file(ParamValues& values, const std::string& path);
// The table's defaults overridden by the file.
ParamValues params_from_json_file(const ParamTable& table, const std::string& path);

}  // namespace soma
