#pragma once
// The items of a comma-separated flag value ("20,50", "bp,D50-CET10",
// "a.safetensors,b.safetensors"), split as std::getline splits them: "a,,b" has an empty item, a
// trailing comma adds none. Each flag checks and converts its own items, so a message can name the
// flag and the bad item.
#include <sstream>
#include <string>
#include <vector>

namespace soma {

inline std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) items.push_back(item);
  return items;
}

}  // namespace soma
