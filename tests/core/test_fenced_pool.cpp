// The fenced pool's policy on malloc/free and fake fences: the same class the CUDA backend
// runs on pinned memory (cudaHostAlloc) and CUDA events, tested in every build. A fake fence is
// a number; the fake device has "finished" every fence up to `passed_upto`.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "core/backend/fenced_pool.hpp"

using namespace soma;

namespace {

struct FakeDevice {
  int64_t recorded = 0, passed_upto = 0, waits = 0, recycled = 0, raw_allocs = 0;
  bool fail_record = false;  // as cudaEventRecord on a failed stream

  FencedPool pool(int64_t limit) {
    FenceOps f;
    f.record = [this] {
      if (fail_record) throw std::runtime_error("fake: no fence recorded");
      return reinterpret_cast<void*>(++recorded);
    };
    f.passed = [this](void* e) { return reinterpret_cast<intptr_t>(e) <= passed_upto; };
    f.wait = [this](void* e) {
      ++waits;
      passed_upto = std::max<int64_t>(passed_upto, reinterpret_cast<intptr_t>(e));
    };
    f.recycle = [this](void*) { ++recycled; };
    return FencedPool(
        [this](int64_t bytes) {
          ++raw_allocs;
          return std::malloc(size_t(bytes));
        },
        [](void* p) { std::free(p); }, f, limit);
  }
};

}  // namespace

TEST_CASE("FencedPool: a released block is not handed out again before its fence passed") {
  FakeDevice dev;
  FencedPool pool = dev.pool(int64_t(1) << 30);
  void* a = pool.acquire(4096);
  pool.release(a);  // fence 1: a queued copy may still read a
  void* b = pool.acquire(4096);
  CHECK(b != a);
  CHECK(dev.raw_allocs == 2);
  CHECK(pool.stats().fenced_blocks == 1);
  dev.passed_upto = 1;  // the copy finished
  void* c = pool.acquire(4096);
  CHECK(c == a);  // reused, no new pinned memory
  CHECK(dev.raw_allocs == 2);
  CHECK(dev.recycled == 1);
  CHECK(pool.stats().fenced_blocks == 0);
  pool.release(b);
  pool.release(c);
}

TEST_CASE("FencedPool: reclaiming stops at the first fence that has not passed") {
  FakeDevice dev;
  FencedPool pool = dev.pool(int64_t(1) << 30);
  std::vector<void*> blocks;
  for (int k = 0; k < 3; ++k) blocks.push_back(pool.acquire(1000));
  for (void* p : blocks) pool.release(p);  // fences 1, 2, 3
  dev.passed_upto = 2;
  void* p = pool.acquire(1000);  // blocks 0 and 1 are back; 2 is not
  CHECK((p == blocks[0] || p == blocks[1]));
  CHECK(pool.stats().fenced_blocks == 1);
  CHECK(dev.waits == 0);
  pool.release(p);
}

TEST_CASE(
    "FencedPool: past the limit, acquire waits for the oldest fence instead of pinning more") {
  FakeDevice dev;
  const int64_t block = CachingAllocator::size_class(1 << 20);
  FencedPool pool = dev.pool(2 * block);
  void* a = pool.acquire(1 << 20);
  void* b = pool.acquire(1 << 20);
  pool.release(a);
  pool.release(b);
  void* c = pool.acquire(1 << 20);  // 2 blocks held, limit 2: waits for a's fence, reuses a
  CHECK(dev.waits == 1);
  CHECK(c == a);
  CHECK(dev.raw_allocs == 2);
  CHECK(pool.stats().waits == 1);
  CHECK(pool.stats().blocks.in_use_bytes == 2 * block);  // c handed out, b still fenced
  // Blocks handed out are the caller's: with nothing fenced left to wait for, a request past
  // the limit is served anyway.
  dev.passed_upto = 2;
  void* d = pool.acquire(1 << 20);
  void* e = pool.acquire(1 << 20);
  CHECK(pool.stats().blocks.in_use_bytes == 3 * block);
  for (void* p : {c, d, e}) pool.release(p);
}

TEST_CASE("FencedPool: a foreign or twice-released block is refused") {
  FakeDevice dev;
  FencedPool pool = dev.pool(int64_t(1) << 30);
  void* a = pool.acquire(64);
  int local = 0;
  CHECK_THROWS_AS(pool.release(&local), std::invalid_argument);
  pool.release(a);
  CHECK_THROWS_AS(pool.release(a), std::invalid_argument);  // still fenced
  dev.passed_upto = dev.recorded;
  void* again = pool.acquire(64);  // reclaims a and hands it out again
  CHECK(again == a);
  CHECK(pool.stats().fenced_blocks == 0);
  pool.release(again);
}

TEST_CASE("FencedPool: destruction waits for every fence before freeing") {
  FakeDevice dev;
  {
    FencedPool pool = dev.pool(int64_t(1) << 30);
    pool.release(pool.acquire(64));
    pool.release(pool.acquire(64));
  }
  CHECK(dev.passed_upto == 2);  // waited for the newest fence
  CHECK(dev.recycled == 2);
}

TEST_CASE("FencedPool: a release whose fence cannot be recorded keeps the block out of use") {
  // Storage's destructor swallows the error and relies on this: with no fence, a queued copy
  // may still read the block, so it must never be handed out again.
  FakeDevice dev;
  FencedPool pool = dev.pool(int64_t(1) << 30);
  void* a = pool.acquire(64);
  dev.fail_record = true;
  CHECK_THROWS_AS(pool.release(a), std::runtime_error);
  dev.fail_record = false;
  CHECK(pool.stats().fenced_blocks == 0);
  CHECK(pool.stats().blocks.in_use_bytes == CachingAllocator::size_class(64));
  void* b = pool.acquire(64);
  CHECK(b != a);
  pool.release(b);
  pool.release(a);  // still the pool's: it can be released once a fence can be recorded
}

TEST_CASE("FencedPool: cached blocks of other sizes are freed rather than pin past the limit") {
  FakeDevice dev;
  const int64_t big = CachingAllocator::size_class(3 << 20);
  FencedPool pool = dev.pool(big + CachingAllocator::size_class(1 << 20));
  pool.release(pool.acquire(3 << 20));  // a one-off large copy (weights at load)
  dev.passed_upto = dev.recorded;
  void* a = pool.acquire(1 << 20);  // fits beside the cached 3 MiB block: kept
  CHECK(pool.stats().blocks.cached_bytes == big);
  void* b = pool.acquire(1 << 20);  // would pass the limit with it: the cache is emptied
  CHECK(pool.stats().blocks.cached_bytes == 0);
  CHECK(pool.stats().blocks.raw_frees == 1);
  pool.release(a);
  pool.release(b);
}
