#pragma once
// A caching allocator for memory whose raw allocation is slow and synchronising (cudaMalloc,
// cudaFree): freed blocks wait in size-class bins for the next request of their class, so a
// training loop that asks for the same sizes every step stops calling the raw allocator after
// its first step. Plain C++ on a raw allocate/free pair: the CUDA backend plugs in
// cudaMalloc/cudaFree, the CPU test suite plugs in malloc/free and checks the bookkeeping.
//
// Policy. A request is rounded up to its size class (size_class()): multiples of 512 B up to
// 1 MiB; above that 8 classes per power of two, 2^k (1 + j/8), so a block wastes less than 1/8
// of itself. A request takes a cached block of exactly its class (a hit), else makes one raw
// allocation. Blocks are never split or merged: with repeating sizes every request after the
// first step hits, and the bookkeeping stays small (PyTorch's allocator splits large blocks to
// serve varied sizes; add that when a workload needs it). When the raw allocation fails
// (returns null), the cache is emptied and the allocation retried once before throwing.
//
// Thread-safe (one mutex). Destroy it only after every block came back: the CUDA instance is
// never destroyed, since tensors may be freed during static destruction.
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace soma {

struct AllocatorStats {
  int64_t in_use_bytes = 0;       // blocks handed out, at their class sizes
  int64_t requested_bytes = 0;    // what the callers of those blocks asked for
  int64_t cached_bytes = 0;       // free blocks kept for reuse
  int64_t peak_in_use_bytes = 0;  // maximum of in_use_bytes since start or reset_peak()
  int64_t raw_allocs = 0;         // calls of the raw allocate (cudaMalloc)
  int64_t raw_frees = 0;          // calls of the raw free (cudaFree)
  int64_t hits = 0;               // requests served from the cache
};

class CachingAllocator {
 public:
  using RawAlloc = std::function<void*(int64_t bytes)>;  // null on failure
  using RawFree = std::function<void(void* p)>;

  CachingAllocator(RawAlloc raw_alloc, RawFree raw_free);
  ~CachingAllocator();  // frees the cached blocks
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // A block of at least `bytes` (a 0-byte request gets the smallest class, never null).
  // Throws std::bad_alloc when the raw allocator fails even after empty_cache().
  void* allocate(int64_t bytes);
  // Returns a block to its bin. Throws std::invalid_argument for a pointer this allocator did
  // not hand out or that is already free: a double free must not hand one block out twice.
  void deallocate(void* p);
  void empty_cache();                    // every cached block back to the raw free
  void reset_peak();                     // peak_in_use_bytes = in_use_bytes
  bool in_use(void* p) const;            // handed out and not yet deallocated
  bool has_cached(int64_t bytes) const;  // a request of `bytes` would be a hit
  AllocatorStats stats() const;

  static int64_t size_class(int64_t bytes);

 private:
  struct Block {
    int64_t size, requested;
  };
  void* take_cached(int64_t size);
  void* raw_allocate(int64_t size);
  void empty_cache_locked();

  RawAlloc raw_alloc_;
  RawFree raw_free_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, Block> live_;
  std::unordered_map<int64_t, std::vector<void*>> bins_;  // free blocks by class size
  AllocatorStats stats_;
};

}  // namespace soma
