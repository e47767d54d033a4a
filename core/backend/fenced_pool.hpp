#pragma once
// Host blocks that the device may still read after the host has moved on: the pinned staging
// buffers of asynchronous host-to-device copies and the pinned storage of host tensors
// (Tensor::pin_memory). A released block goes back into use only once a fence recorded at its
// release has passed. On the one stream (cuda_runtime.hpp) everything queued before the
// release, the copy that reads the block included, has then finished, so no copy ever reads a
// block that the host has begun to refill.
//
// Plain C++ over a CachingAllocator for the blocks and four fence callbacks: the CUDA backend
// plugs in cudaHostAlloc/cudaFreeHost and cudaEvent_t, the CPU suite plugs in malloc and fake
// fences and checks the policy.
//
// Policy. acquire() first returns to the cache every released block whose fence passed; fences
// pass in the order they were recorded, so it stops at the first that has not. The bytes held
// (handed out, or released and waiting on a fence) stay under `limit_bytes` while released
// blocks can make room: past it, acquire() waits for the oldest fence rather than pin more
// memory, which the OS can no longer page out. Then, if the request misses the cache and held
// plus cached bytes would pass the limit, the cached blocks are freed. Blocks handed out and not
// released are the caller's: a request no waiting can make room for is served above the limit (and,
// while that lasts, each acquire() first waits for every fence).
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "core/backend/caching_allocator.hpp"

namespace soma {

struct FenceOps {
  using Fence = void*;
  std::function<Fence()> record;       // a fence behind everything queued so far
  std::function<bool(Fence)> passed;   // whether it has passed (never blocks)
  std::function<void(Fence)> wait;     // blocks until it has passed
  std::function<void(Fence)> recycle;  // the fence is no longer needed
};

struct FencedPoolStats {
  AllocatorStats blocks;      // in_use_bytes counts handed-out and fenced blocks
  int64_t fenced_blocks = 0;  // released, waiting for their fence
  int64_t waits = 0;          // fences acquire() waited for to stay under the limit
};

class FencedPool {
 public:
  FencedPool(CachingAllocator::RawAlloc raw_alloc, CachingAllocator::RawFree raw_free,
             FenceOps fences, int64_t limit_bytes);
  ~FencedPool();  // waits for every fence, then frees the cached blocks
  FencedPool(const FencedPool&) = delete;
  FencedPool& operator=(const FencedPool&) = delete;

  // A block of at least `bytes` that no queued work still reads.
  void* acquire(int64_t bytes);
  // Gives the block back; it is reused after the fence recorded now. Throws
  // std::invalid_argument for a block not handed out here, or released twice.
  void release(void* p);
  FencedPoolStats stats() const;

 private:
  struct Fenced {
    FenceOps::Fence fence;
    void* block;
  };
  void reclaim_locked();  // fenced blocks whose fence passed back to the cache
  void wait_oldest_locked();

  CachingAllocator blocks_;
  FenceOps fences_;
  int64_t limit_;
  mutable std::mutex mutex_;
  std::deque<Fenced> fenced_;  // in release order, which is fence order
  int64_t waits_ = 0;
};

}  // namespace soma
