#pragma once
// JSON from files and strings that may be hostile (a params file, a safetensors header, a
// model.json, a URL-supplied path such as /dev/urandom): the size is capped while reading, the
// nesting depth is checked by a linear scan before nlohmann parses (its dump() and error
// messages recurse once per level: 10^5 levels overflow the stack, 1 MiB in WebAssembly), and
// every failure, a syntax error or a number outside double's range (1e400) alike, is a
// JsonError whose message names the source.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soma {

class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr int kMaxJsonDepth = 64;                          // Soma's own files nest 4 deep at most
constexpr int64_t kMaxParamsFileBytes = int64_t(1) << 20;  // configs are a few KiB

// The deepest nesting of [ and { outside strings (0 for a scalar).
int json_depth(std::string_view text);
// Parses `text`; `source` names it in errors ("runs/x/config.json", "header of ckpt.safetensors").
nlohmann::json parse_json(std::string_view text, const std::string& source,
                          int max_depth = kMaxJsonDepth);
// The file through read_file_capped (read_capped.hpp: no devices, at most max_bytes), parsed;
// every failure a JsonError naming the file.
nlohmann::json read_json_file(const std::string& path, int64_t max_bytes = kMaxParamsFileBytes);
// A value for an error message: at most about max_chars, nesting beyond 8 levels shown as [...],
// invalid UTF-8 replaced. Never recurses deeper than that, whatever the value.
std::string json_excerpt(const nlohmann::json& v, size_t max_chars = 200);

}  // namespace soma
