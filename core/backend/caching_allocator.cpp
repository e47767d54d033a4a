#include "core/backend/caching_allocator.hpp"

#include <algorithm>
#include <bit>
#include <new>
#include <stdexcept>

namespace soma {

namespace {
constexpr int64_t kSmallStep = 512;
constexpr int64_t kSmallMax = int64_t(1) << 20;
constexpr int64_t kClassesPerOctave = 8;
}  // namespace

int64_t CachingAllocator::size_class(int64_t bytes) {
  bytes = std::max<int64_t>(bytes, 1);
  if (bytes <= kSmallMax) return (bytes + kSmallStep - 1) / kSmallStep * kSmallStep;
  const int64_t octave = int64_t(std::bit_floor(uint64_t(bytes)));
  const int64_t step = octave / kClassesPerOctave;
  return (bytes + step - 1) / step * step;
}

CachingAllocator::CachingAllocator(RawAlloc raw_alloc, RawFree raw_free)
    : raw_alloc_(std::move(raw_alloc)), raw_free_(std::move(raw_free)) {}

CachingAllocator::~CachingAllocator() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

void* CachingAllocator::take_cached(int64_t size) {
  auto it = bins_.find(size);
  if (it == bins_.end() || it->second.empty()) return nullptr;
  void* p = it->second.back();
  it->second.pop_back();
  stats_.cached_bytes -= size;
  ++stats_.hits;
  return p;
}

void* CachingAllocator::raw_allocate(int64_t size) {
  void* p = raw_alloc_(size);
  if (!p) {  // memory may be sitting in other classes' bins
    empty_cache_locked();
    p = raw_alloc_(size);
  }
  if (!p) throw std::bad_alloc();
  ++stats_.raw_allocs;
  return p;
}

void* CachingAllocator::allocate(int64_t bytes) {
  const int64_t size = size_class(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* p = take_cached(size);
  if (!p) p = raw_allocate(size);
  live_[p] = {size, std::max<int64_t>(bytes, 0)};
  stats_.in_use_bytes += size;
  stats_.requested_bytes += std::max<int64_t>(bytes, 0);
  stats_.peak_in_use_bytes = std::max(stats_.peak_in_use_bytes, stats_.in_use_bytes);
  return p;
}

bool CachingAllocator::in_use(void* p) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_.count(p) > 0;
}

bool CachingAllocator::has_cached(int64_t bytes) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = bins_.find(size_class(bytes));
  return it != bins_.end() && !it->second.empty();
}

void CachingAllocator::deallocate(void* p) {
  if (!p) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(p);
  if (it == live_.end())
    throw std::invalid_argument(
        "CachingAllocator: deallocate of a pointer that is not in use (never allocated here, "
        "or freed twice)");
  const Block b = it->second;
  live_.erase(it);
  stats_.in_use_bytes -= b.size;
  stats_.requested_bytes -= b.requested;
  stats_.cached_bytes += b.size;
  bins_[b.size].push_back(p);
}

void CachingAllocator::empty_cache_locked() {
  for (auto& [size, blocks] : bins_)
    for (void* p : blocks) {
      raw_free_(p);
      ++stats_.raw_frees;
    }
  bins_.clear();
  stats_.cached_bytes = 0;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peak_in_use_bytes = stats_.in_use_bytes;
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace soma
