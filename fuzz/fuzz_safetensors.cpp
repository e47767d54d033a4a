// libFuzzer target: checkpoint bytes (a file, or an upload on the web page) through the
// safetensors decoder.
#include <cstdint>
#include <string_view>

#include "core/io/safetensors.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  soma::fuzz::rejects_cleanly([&] {
    soma::SafetensorsData d =
        soma::decode_safetensors(std::string_view(reinterpret_cast<const char*>(data), size));
    for (const auto& [name, t] : d.tensors) (void)t.numel();
  });
  return 0;
}
