#pragma once
// The buffer behind a Tensor: n floats, 64-byte aligned, uninitialised, counted in
// memory_stats() and, when large, recycled through the storage cache (see memory_stats.hpp).
#include <cstdint>

namespace soma {

class Storage {
 public:
  explicit Storage(int64_t n);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  int64_t size() const { return size_; }

 private:
  float* data_;
  int64_t size_;
  int64_t capacity_bytes_;  // what was allocated: the request rounded up, or a larger cached block
};

}  // namespace soma
