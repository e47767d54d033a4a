#include "core/data/cifar10.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/data/file_bytes.hpp"
#include "core/io/atomic_write.hpp"

namespace soma {
namespace {

void append_file(Dataset& ds, const std::string& path) {
  const std::string b = read_file_bytes(path);
  const int64_t size = int64_t(b.size()), n = size / kCifarRecordBytes;
  if (n == 0 || size % kCifarRecordBytes != 0)
    throw std::runtime_error(path + ": CIFAR-10 size mismatch: expected a positive multiple of " +
                             std::to_string(kCifarRecordBytes) + " bytes (1 label + 3 x 32 x 32)" +
                             ", found " + std::to_string(size) + " (" + std::to_string(n) +
                             " records + " + std::to_string(size % kCifarRecordBytes) + " bytes)");
  ds.images.reserve(ds.images.size() + size_t(n * (kCifarRecordBytes - 1)));
  for (int64_t r = 0; r < n; ++r) {
    const auto* rec = reinterpret_cast<const uint8_t*>(b.data()) + r * kCifarRecordBytes;
    if (rec[0] > 9)
      throw std::runtime_error(path + ": record " + std::to_string(r) + " has label " +
                               std::to_string(rec[0]) + ", expected 0-9 (not a CIFAR-10 file?)");
    ds.labels.push_back(rec[0]);
    for (int64_t k = 1; k < kCifarRecordBytes; ++k) ds.images.push_back(float(rec[k]) / 255.0f);
  }
}

}  // namespace

Dataset read_cifar10(const std::vector<std::string>& paths, const std::string& name) {
  Dataset ds;
  ds.name = name;
  ds.channels = 3;
  ds.height = ds.width = 32;
  for (const std::string& p : paths) append_file(ds, p);
  check_consistent(ds, 10);
  return ds;
}

void write_cifar10(const std::string& path, const Dataset& data) {
  if (data.channels != 3 || data.height != 32 || data.width != 32)
    throw std::invalid_argument("write_cifar10: images are not 3 x 32 x 32");
  check_consistent(data, 10);
  std::string bytes;
  bytes.reserve(size_t(data.size() * kCifarRecordBytes));
  for (int64_t i = 0; i < data.size(); ++i) {
    bytes += char(data.labels[size_t(i)]);
    const float* img = data.image(i);
    for (int64_t k = 0; k < data.image_numel(); ++k)
      bytes += char(uint8_t(std::lround(std::clamp(img[k], 0.0f, 1.0f) * 255.0f)));
  }
  write_file_atomic(path, bytes);
}

std::vector<std::string> cifar10_files(const std::string& dir, const std::string& split) {
  if (split == "test") return {dir + "/test_batch.bin"};
  if (split != "train")
    throw std::invalid_argument("CIFAR-10 split must be 'train' or 'test', not '" + split + "'");
  std::vector<std::string> files;
  for (int i = 1; i <= 5; ++i) files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  return files;
}

}  // namespace soma
