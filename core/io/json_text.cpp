#include "core/io/json_text.hpp"

#include <algorithm>

#include "core/io/read_capped.hpp"

namespace soma {
namespace {

std::string scalar_text(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void excerpt(const nlohmann::json& v, std::string& out, size_t max_chars, int depth) {
  if (!v.is_structured()) {
    out += scalar_text(v);
    return;
  }
  const bool array = v.is_array();
  if (depth >= 8) {
    out += array ? "[...]" : "{...}";
    return;
  }
  out += array ? '[' : '{';
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (out.size() > max_chars) {
      out += ", ...";
      break;
    }
    if (!first) out += ", ";
    first = false;
    if (!array) out += scalar_text(nlohmann::json(it.key())) + ": ";
    excerpt(*it, out, max_chars, depth + 1);
  }
  out += array ? ']' : '}';
}

}  // namespace

std::string json_excerpt(const nlohmann::json& v, size_t max_chars) {
  std::string out;
  excerpt(v, out, max_chars, 0);
  if (out.size() > max_chars + 16) out = out.substr(0, max_chars) + "...";
  return out;
}

int json_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced text is the parser's to report
    }
  }
  return deepest;
}

nlohmann::json parse_json(std::string_view text, const std::string& source, int max_depth) {
  const int depth = json_depth(text);
  if (depth > max_depth)
    throw JsonError(source + ": JSON nested " + std::to_string(depth) + " levels deep; at most " +
                    std::to_string(max_depth) + " are accepted");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonError(source + ": JSON syntax error at byte " + std::to_string(e.byte) + ": " +
                    e.what());
  } catch (const nlohmann::json::exception& e) {  // out_of_range.406: 1e400
    throw JsonError(source + ": " + e.what());
  }
}

nlohmann::json read_json_file(const std::string& path, int64_t max_bytes) {
  std::string text;
  try {
    text = read_file_capped(path, max_bytes);
  } catch (const std::runtime_error& e) {
    throw JsonError(e.what());
  }
  return parse_json(text, path);
}

}  // namespace soma
