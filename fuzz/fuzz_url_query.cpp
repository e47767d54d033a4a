// libFuzzer target: a URL query (the page's ?task=memory&seq_length=..., soma-gui --query) into
// every task's parameter table, as the playground applies it.
#include <cstdint>
#include <string>

#include "core/params/param_values.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string query(reinterpret_cast<const char*>(data), size);
  soma::fuzz::rejects_cleanly([&] { soma::parse_query(query, "fuzz query"); });
  for (const soma::fuzz::NamedTask& e : soma::fuzz::tasks()) {
    soma::ParamValues v(e.task->params());
    soma::fuzz::rejects_cleanly([&] {
      v.apply_query(query, "fuzz query");
      (void)v.to_query();
    });
  }
  return 0;
}
