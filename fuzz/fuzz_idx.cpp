// libFuzzer target: an IDX image file and label file (the input split at its first byte),
// raw or gzip, through the reader and the data set checks that training relies on.
#include <cstdint>
#include <string>

#include "core/data/idx.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t split = 1 + (size - 1) * data[0] / 256;
  const char* bytes = reinterpret_cast<const char*>(data);
  const std::string images = soma::fuzz::scratch_file("images", bytes + 1, split - 1);
  const std::string labels = soma::fuzz::scratch_file("labels", bytes + split, size - split);
  soma::fuzz::rejects_cleanly([&] { soma::read_idx(images, 0); });
  soma::fuzz::rejects_cleanly([&] {
    soma::Dataset d = soma::read_idx_dataset(images, labels, "fuzz", 10);
    (void)d.num_classes();
  });
  return 0;
}
