#include "core/backend/fenced_pool.hpp"

#include <algorithm>
#include <stdexcept>

namespace soma {

FencedPool::FencedPool(CachingAllocator::RawAlloc raw_alloc, CachingAllocator::RawFree raw_free,
                       FenceOps fences, int64_t limit_bytes)
    : blocks_(std::move(raw_alloc), std::move(raw_free)),
      fences_(std::move(fences)),
      limit_(limit_bytes) {}

FencedPool::~FencedPool() {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!fenced_.empty()) wait_oldest_locked();
}

void FencedPool::reclaim_locked() {
  while (!fenced_.empty() && fences_.passed(fenced_.front().fence)) {
    const Fenced f = fenced_.front();
    fenced_.pop_front();
    fences_.recycle(f.fence);
    blocks_.deallocate(f.block);
  }
}

void FencedPool::wait_oldest_locked() {
  fences_.wait(fenced_.front().fence);
  reclaim_locked();  // the oldest has passed, and perhaps the ones after it too
}

void* FencedPool::acquire(int64_t bytes) {
  const int64_t size = CachingAllocator::size_class(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  reclaim_locked();
  while (!fenced_.empty() && blocks_.stats().in_use_bytes + size > limit_) {
    wait_oldest_locked();
    ++waits_;
  }
  // A request that would pin a new block counts the cached blocks of other sizes too (a
  // model's weights staged once at load): past the limit they go back to the OS. Rare: a
  // loop's sizes repeat, hit the cache and stay far below it.
  const AllocatorStats st = blocks_.stats();
  if (st.cached_bytes > 0 && st.in_use_bytes + st.cached_bytes + size > limit_ &&
      !blocks_.has_cached(bytes))
    blocks_.empty_cache();
  return blocks_.allocate(bytes);
}

void FencedPool::release(void* p) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool fenced =
      std::any_of(fenced_.begin(), fenced_.end(), [p](const Fenced& f) { return f.block == p; });
  if (fenced || !blocks_.in_use(p))
    throw std::invalid_argument(
        "FencedPool: release of a block that is not handed out (never acquired here, or "
        "released twice)");
  fenced_.push_back({fences_.record(), p});
}

FencedPoolStats FencedPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {blocks_.stats(), int64_t(fenced_.size()), waits_};
}

}  // namespace soma
