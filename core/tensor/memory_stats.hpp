#pragma once
// Counters of live tensor storage, and the cache that keeps large freed buffers for reuse.
//
// Every Tensor storage is counted from allocation to release: current_bytes is what live tensors
// hold now, peak_bytes the most they held at once since the last reset_peak_memory() (the CPU
// counterpart of torch.cuda.max_memory_allocated). Bytes are requested sizes (numel * 4).
//
// Buffers of at least kCachedMinBytes are not returned to the C library when freed: they wait in
// a cache, keyed by size, for the next allocation of about the same size (within 1/8 above the
// request). A training loop allocates the same shapes every step, so after the first step its
// large tensors reuse pages that are already mapped instead of page-faulting fresh ones (the
// cost that dominated large forward/backward passes). The cache holds at most
// memory_cache_limit() bytes: by default 1 GiB or, once live tensors have held more at some
// moment, that most (so a step whose tensors add up to more still reuses all of them: CIFAR-10
// at T 32, batch 32 holds 2.1 GB at its peak; with the cache at a fixed 1 GiB half its buffers
// were mapped afresh every step, and the step took 7.6-7.9 s against 6.4-6.6 s, two threads of
// an Intel Xeon, 3 runs each). The process then holds up to about twice its peak of live tensors
// at worst, and about its peak when each step allocates the same shapes. A fixed limit replaces
// this (0 turns caching off); cached_bytes is not part of current_bytes. Smaller buffers wait in
// per-thread lists by size class (small_blocks.hpp).
#include <cstdint>

namespace soma {

struct MemoryStats {
  int64_t current_bytes = 0;  // live tensor storage
  int64_t peak_bytes = 0;     // maximum of current_bytes since the last reset
  int64_t cached_bytes = 0;   // freed buffers kept for reuse
  int64_t allocations = 0;    // storage buffers allocated since start-up
  int64_t cache_hits = 0;     // ... of which came from the cache
};

constexpr int64_t kCachedMinBytes = int64_t(1) << 16;
constexpr int64_t kMinAutomaticCacheBytes = int64_t(1) << 30;
constexpr int64_t kAutomaticCacheLimit = -1;  // set_memory_cache_limit: the default above

MemoryStats memory_stats();
// Sets peak_bytes to current_bytes, to measure the peak of one phase.
void reset_peak_memory();
// Returns all cached buffers to the C library.
void release_cached_memory();
// Bytes, or kAutomaticCacheLimit for the default (which grows with the peak).
void set_memory_cache_limit(int64_t bytes);
int64_t memory_cache_limit();  // the limit in force now, in bytes

}  // namespace soma
