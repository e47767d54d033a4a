// The caching allocator's bookkeeping on malloc/free: the same class the CUDA backend runs on
// cudaMalloc/cudaFree, tested in every build.
#include <doctest/doctest.h>

#include <cstdlib>
#include <new>
#include <set>
#include <stdexcept>

#include "core/backend/caching_allocator.hpp"

using namespace soma;

namespace {

// malloc/free that count their calls and the bytes they hold, and fail above `limit` bytes.
struct RawPair {
  int64_t allocs = 0, frees = 0, held = 0, limit = int64_t(1) << 40;
  std::set<void*> live;
  std::unordered_map<void*, int64_t> sizes;

  CachingAllocator make() {
    return CachingAllocator(
        [this](int64_t bytes) -> void* {
          if (held + bytes > limit) return nullptr;
          void* p = std::malloc(size_t(bytes));
          ++allocs;
          held += bytes;
          live.insert(p);
          sizes[p] = bytes;
          return p;
        },
        [this](void* p) {
          REQUIRE(live.erase(p) == 1);  // the raw free never sees a pointer twice
          ++frees;
          held -= sizes[p];
          std::free(p);
        });
  }
};

}  // namespace

TEST_CASE("caching allocator: size classes are 512 B steps to 1 MiB, then 8 per octave") {
  CHECK(CachingAllocator::size_class(0) == 512);
  CHECK(CachingAllocator::size_class(1) == 512);
  CHECK(CachingAllocator::size_class(512) == 512);
  CHECK(CachingAllocator::size_class(513) == 1024);
  CHECK(CachingAllocator::size_class(1 << 20) == 1 << 20);
  CHECK(CachingAllocator::size_class((1 << 20) + 1) == (1 << 20) + (1 << 17));
  CHECK(CachingAllocator::size_class(3 << 20) == 3 << 20);
  for (int64_t b = 1; b < (int64_t(1) << 34); b = b * 3 / 2 + 7) {
    const int64_t c = CachingAllocator::size_class(b);
    CHECK(c >= b);
    if (b > 4096) CHECK(c - b < b / 8 + 1);  // waste below 1/8 of the block
  }
}

TEST_CASE("caching allocator: a freed block serves the next request of its class") {
  RawPair raw;
  CachingAllocator a = raw.make();
  void* p = a.allocate(1000);
  a.deallocate(p);
  CHECK(a.stats().cached_bytes == 1024);
  void* q = a.allocate(900);  // same class (1024)
  CHECK(q == p);
  CHECK(a.stats().hits == 1);
  void* r = a.allocate(2000);  // another class: a new block
  CHECK(r != p);
  CHECK(raw.allocs == 2);
  a.deallocate(q);
  a.deallocate(r);
}

TEST_CASE("caching allocator: a repeating loop stops calling the raw allocator after step 1") {
  RawPair raw;
  CachingAllocator a = raw.make();
  const int64_t sizes[] = {100, 5000, 3 << 20, 5000, 77};
  for (int step = 0; step < 10; ++step) {
    std::vector<void*> blocks;
    for (int64_t s : sizes) blocks.push_back(a.allocate(s));
    for (void* p : blocks) a.deallocate(p);
    CHECK(raw.allocs == 5);  // from the first step on
  }
  CHECK(a.stats().hits == 45);
  CHECK(a.stats().in_use_bytes == 0);
  CHECK(raw.frees == 0);
}

TEST_CASE("caching allocator: bytes in use, requested, cached and peak") {
  RawPair raw;
  CachingAllocator a = raw.make();
  void* p = a.allocate(500);
  void* q = a.allocate(1000);
  AllocatorStats s = a.stats();
  CHECK(s.in_use_bytes == 512 + 1024);
  CHECK(s.requested_bytes == 1500);
  CHECK(s.peak_in_use_bytes == 1536);
  a.deallocate(p);
  s = a.stats();
  CHECK(s.in_use_bytes == 1024);
  CHECK(s.cached_bytes == 512);
  CHECK(s.peak_in_use_bytes == 1536);
  a.reset_peak();
  CHECK(a.stats().peak_in_use_bytes == 1024);
  a.deallocate(q);
  a.empty_cache();
  s = a.stats();
  CHECK(s.cached_bytes == 0);
  CHECK(s.raw_frees == 2);
  CHECK(raw.frees == 2);
  CHECK(raw.held == 0);
}

TEST_CASE("caching allocator: a double free or a foreign pointer throws and changes nothing") {
  RawPair raw;
  CachingAllocator a = raw.make();
  void* p = a.allocate(64);
  a.deallocate(p);
  const AllocatorStats before = a.stats();
  CHECK_THROWS_AS(a.deallocate(p), std::invalid_argument);
  int local = 0;
  CHECK_THROWS_AS(a.deallocate(&local), std::invalid_argument);
  CHECK(a.stats().cached_bytes == before.cached_bytes);
  // p sits in its bin once: two requests get two different blocks.
  void* x = a.allocate(64);
  void* y = a.allocate(64);
  CHECK(x != y);
  a.deallocate(x);
  a.deallocate(y);
}

TEST_CASE("caching allocator: out of memory empties the cache and retries once") {
  RawPair raw;
  raw.limit = 3000;
  CachingAllocator a = raw.make();
  a.deallocate(a.allocate(1024));  // 1024 B cached
  void* p = a.allocate(2048);      // 1024 + 2048 > 3000: only after the cache is freed
  CHECK(raw.frees == 1);
  CHECK(a.stats().cached_bytes == 0);
  CHECK_THROWS_AS(a.allocate(4096), std::bad_alloc);
  a.deallocate(p);
}

TEST_CASE("caching allocator: destruction returns the cached blocks") {
  RawPair raw;
  {
    CachingAllocator a = raw.make();
    a.deallocate(a.allocate(10));
    a.deallocate(a.allocate(1 << 21));
  }
  CHECK(raw.allocs == 2);
  CHECK(raw.frees == 2);
  CHECK(raw.live.empty());
}
