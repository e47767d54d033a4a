#include "core/tensor/storage.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include "core/backend/cuda_runtime.hpp"
#include "core/tensor/checked_size.hpp"
#include "core/tensor/memory_stats.hpp"
#include "core/tensor/small_blocks.hpp"

namespace soma {

namespace {

constexpr std::align_val_t kAlign{64};
constexpr int64_t kPage = 4096;

// high_water: the most live storage ever (peak, but never reset).
std::atomic<int64_t> current{0}, peak{0}, high_water{0}, allocations{0}, hits{0};

// Freed large blocks by capacity. One mutex: allocations of this size are rare next to the
// work done on them.
struct Cache {
  std::mutex mutex;
  std::multimap<int64_t, void*> blocks;
  int64_t bytes = 0;
  int64_t limit = kAutomaticCacheLimit;  // or a fixed number of bytes
  int64_t limit_bytes() const {
    return limit >= 0 ? limit : std::max(kMinAutomaticCacheBytes, high_water.load());
  }
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: tensors may die during static destruction
  return *c;
}

void release_locked(Cache& c) {
  for (auto& [size, p] : c.blocks) ::operator delete(p, kAlign);
  c.blocks.clear();
  c.bytes = 0;
}

void raise_to(std::atomic<int64_t>& max, int64_t now) {
  int64_t m = max.load();
  while (now > m && !max.compare_exchange_weak(m, now)) {
  }
}

void count(int64_t bytes) {
  const int64_t now = current.fetch_add(bytes) + bytes;
  raise_to(peak, now);
  raise_to(high_water, now);
}

void* take_cached(int64_t& capacity) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.blocks.lower_bound(capacity);
  if (it == c.blocks.end() || it->first > capacity + capacity / 8) return nullptr;
  void* p = it->second;
  capacity = it->first;
  c.bytes -= capacity;
  c.blocks.erase(it);
  return p;
}

bool give_to_cache(void* p, int64_t capacity) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.bytes + capacity > c.limit_bytes()) return false;
  c.blocks.emplace(capacity, p);
  c.bytes += capacity;
  return true;
}

}  // namespace

// Throws SizeError when n floats are more than memory_limit_bytes() (checked_size.hpp).
Storage::Storage(int64_t n, Device device, bool pinned)
    : size_(n), device_(device), pinned_(pinned) {
  // Checked first: a wrapped size would allocate a small block that the caller then overruns.
  const int64_t bytes =
      checked_mul(std::max<int64_t>(n, 1), int64_t(sizeof(float)), "tensor storage");
  if (pinned && device != Device::cpu)
    throw std::invalid_argument("Storage: pinned memory is host memory (device cpu)");
  if (device == Device::cuda || pinned) {  // counted by the CUDA backend, not memory_stats()
    capacity_bytes_ = bytes;
    data_ = static_cast<float*>(pinned ? cuda::allocate_pinned(bytes) : cuda::allocate(bytes));
    return;
  }
  if (bytes > memory_limit_bytes())  // the message only on failure: this runs for every tensor
    check_fits_memory(bytes, "a tensor of " + std::to_string(n) + " floats");
  void* p = nullptr;
  if (bytes >= kCachedMinBytes) {
    capacity_bytes_ = (bytes + kPage - 1) / kPage * kPage;
    p = take_cached(capacity_bytes_);
    if (p) hits.fetch_add(1);
  } else {
    p = take_small_block(bytes, capacity_bytes_);
  }
  if (!p) p = ::operator new(size_t(capacity_bytes_), kAlign);
  data_ = static_cast<float*>(p);
  allocations.fetch_add(1);
  count(n * int64_t(sizeof(float)));
}

Storage::~Storage() {
  if (device_ == Device::cuda) {
    cuda::deallocate(data_);
    return;
  }
  if (pinned_) {  // reused once the copies queued from it have run
    // A destructor must not throw (std::terminate, often while unwinding from the CUDA error
    // that matters). When no fence can be recorded (the stream has failed, or the runtime is
    // shutting down), the block stays held: a queued copy may still read it.
    try {
      cuda::release_pinned(data_);
    } catch (...) {
    }
    return;
  }
  current.fetch_sub(size_ * int64_t(sizeof(float)));
  const bool small = std::max<int64_t>(size_, 1) * int64_t(sizeof(float)) < kCachedMinBytes;
  if (small ? give_small_block(data_, capacity_bytes_) : give_to_cache(data_, capacity_bytes_))
    return;
  ::operator delete(data_, kAlign);
}

void Storage::defer_to_spike_index() {
  if ((!spike_index && !periodic) || device_ != Device::cpu)
    throw std::invalid_argument("defer_to_spike_index: needs a spike index on the cpu");
  if (periodic && periodic->steps * periodic->width != size_)
    throw std::out_of_range(
        "defer_to_spike_index: periodic spikes of " + std::to_string(periodic->steps) + " x " +
        std::to_string(periodic->width) + " for " + std::to_string(size_) + " values");
  if (spike_index)
    for (int64_t k : *spike_index)
      if (k < 0 || k >= size_)
        throw std::out_of_range("defer_to_spike_index: index " + std::to_string(k) + " outside " +
                                std::to_string(size_) + " values");
  deferred_.store(true, std::memory_order_release);
}

void Storage::write_deferred() const {
  static std::mutex mutex;  // rare: once per deferred buffer that is read after all
  std::lock_guard<std::mutex> lock(mutex);
  if (!deferred_.load(std::memory_order_acquire)) return;
  if (periodic) {
    write_periodic_spikes(*periodic, data_);
  } else {
    std::fill(data_, data_ + size_, 0.0f);
    for (int64_t k : *spike_index) data_[k] = 1.0f;
  }
  deferred_.store(false, std::memory_order_release);
}

MemoryStats memory_stats() {
  MemoryStats s;
  s.current_bytes = current.load();
  s.peak_bytes = peak.load();
  s.allocations = allocations.load();
  s.cache_hits = hits.load();
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  s.cached_bytes = c.bytes;
  return s;
}

void reset_peak_memory() {
  peak.store(current.load());
}

void release_cached_memory() {
  release_small_blocks();
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  release_locked(c);
}

void set_memory_cache_limit(int64_t bytes) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.limit = bytes == kAutomaticCacheLimit ? bytes : std::max<int64_t>(bytes, 0);
  if (c.bytes > c.limit_bytes()) release_locked(c);
  set_small_blocks_enabled(c.limit != 0);
  if (c.limit == 0) release_small_blocks();
}

int64_t memory_cache_limit() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.limit_bytes();
}

}  // namespace soma
