#pragma once
// The buffer behind a Tensor: n floats, uninitialised. On the cpu: 64-byte aligned, counted in
// memory_stats() and, when large, recycled through the storage cache (see memory_stats.hpp). On
// cuda: device memory from the CUDA backend's caching allocator (cuda_runtime.hpp), which keeps
// its own statistics; data() is then a device pointer that host code must not dereference.
// Pinned (cpu only, CUDA builds): page-locked host memory from the CUDA backend's fenced pool,
// which the device copies from without the host waiting (Tensor::pin_memory); host code reads
// and writes it like any host buffer, and it is not counted in memory_stats().
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tensor/device.hpp"
#include "core/tensor/periodic_spikes.hpp"

namespace soma {

class Storage {
 public:
  explicit Storage(int64_t n, Device device = Device::cpu, bool pinned = false);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // Writes deferred values first (defer_to_spike_index).
  float* data() {
    if (deferred_.load(std::memory_order_acquire)) write_deferred();
    return data_;
  }
  const float* data() const {
    if (deferred_.load(std::memory_order_acquire)) write_deferred();
    return data_;
  }
  int64_t size() const { return size_; }
  Device device() const { return device_; }
  bool pinned() const { return pinned_; }

  // The sorted flat indices of the non-zeros when every one of them is 1: set by a producer of
  // spikes that has them anyway (the constant-current encoder), read by the spike-sparse
  // products instead of scanning the buffer again (26 MB per MNIST rec batch). Tensor's
  // non-const data() and raw_data() drop it: any write access may change the values.
  using SpikeIndex = std::vector<int64_t>;
  std::shared_ptr<const SpikeIndex> spike_index;
  // The same spikes as repeating trains (periodic_spikes.hpp), from the constant-current
  // encoder. With it, spike_index is built only when someone asks (Tensor::spike_index).
  std::shared_ptr<const PeriodicSpikes> periodic;

  // When > 0: the values are size() / repeat_block equal blocks of repeat_block floats (the T
  // copies of one input that constant_current_encode writes), so a layer may compute on one
  // block. On the GPU this promise replaces comparing the blocks, which would wait for the
  // device. Dropped with spike_index by any write access.
  int64_t repeat_block = 0;

  // The values are spike_index's or periodic's (1 there, 0 elsewhere) and not written yet: the
  // first data() writes them. A producer whose consumers read only the index (the encoder's spikes,
  // 26 MB per MNIST rec batch, go to linear, which needs their rows) then never writes the buffer.
  void defer_to_spike_index();
  bool deferred() const { return deferred_.load(std::memory_order_acquire); }

 private:
  float* data_;
  int64_t size_;
  int64_t capacity_bytes_;  // what was allocated: the request rounded up, or a larger cached block
  Device device_;
  bool pinned_;
  mutable std::atomic<bool> deferred_{false};
  void write_deferred() const;  // once, under a lock: threads may read a tensor together
};

}  // namespace soma
