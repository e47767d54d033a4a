// libFuzzer target: CIFAR-10 binary batches (1 label byte + 3,072 pixel bytes per record).
#include <cstdint>
#include <string>

#include "core/data/cifar10.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      soma::fuzz::scratch_file("cifar", reinterpret_cast<const char*>(data), size);
  soma::fuzz::rejects_cleanly([&] {
    soma::Dataset d = soma::read_cifar10({path}, "fuzz");
    (void)d.num_classes();
  });
  return 0;
}
