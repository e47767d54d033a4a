// libFuzzer target: a params file as the CLI, the GUI and the page read it. Bytes go through the
// bounded JSON reader, then into every task's parameter table and the microcircuit's seed-format
// parser. Any exception derived from std::exception is a clean rejection; a crash, a sanitizer
// report, a hang or a leak is a finding.
#include <cstdint>
#include <string>

#include "core/io/json_text.hpp"
#include "core/params/param_json.hpp"
#include "fuzz_util.hpp"
#include "tasks/microcircuit/params.hpp"
#include "tasks/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j;
  try {
    j = soma::parse_json(text, "fuzz.json");
  } catch (const soma::JsonError&) {
    return 0;
  }
  for (const soma::fuzz::NamedTask& e : soma::fuzz::tasks()) {
    soma::ParamValues v(e.task->params());
    soma::fuzz::rejects_cleanly([&] { soma::apply_params_json(v, j, "fuzz.json"); });
  }
  soma::fuzz::rejects_cleanly([&] { soma::mc::params_from_json(j, "fuzz.json"); });
  return 0;
}
