// The per-thread lists of small freed tensor buffers (core/tensor/small_blocks.hpp).
#include <doctest/doctest.h>

#include <new>
#include <thread>

#include "core/tensor/memory_stats.hpp"
#include "core/tensor/small_blocks.hpp"
#include "core/tensor/tensor.hpp"

using namespace soma;

TEST_CASE("a small buffer freed is the next one of its size class on the same thread") {
  if (!kSmallBlocks) return;  // off under AddressSanitizer
  release_cached_memory();    // an empty list: earlier tests may have filled it
  const float* first;
  {
    Tensor a = Tensor::zeros({10});  // 40 B: the 64-byte class
    first = a.data();
  }
  // An allocation of the same size from the C library in between: it would take the freed
  // block had Storage returned it there.
  void* elsewhere = ::operator new (64, std::align_val_t{64});
  Tensor b = Tensor::uninitialized({16});  // 64 B: the same class
  CHECK(b.data() == first);
  ::operator delete (elsewhere, std::align_val_t{64});
  Tensor c = Tensor::zeros({17});  // 68 B: the next class, a new block
  CHECK(c.data() != first);
  CHECK(c.data()[16] == 0.0f);  // zeros fills a reused block as a new one
}

TEST_CASE("small blocks: capacities by class, a bounded list, none after memory_cache_limit 0") {
  if (!kSmallBlocks) return;
  release_cached_memory();
  int64_t cap = 0;
  CHECK(take_small_block(65, cap) == nullptr);  // empty list
  CHECK(cap == 128);
  void* p = ::operator new (size_t(cap), std::align_val_t{64});
  CHECK(give_small_block(p, cap));
  int64_t cap2 = 0;
  CHECK(take_small_block(100, cap2) == p);
  CHECK(cap2 == 128);
  // The 64 KB class keeps kSmallClassBytes of blocks, then the caller frees.
  const int64_t big = kCachedMinBytes;
  int kept = 0;
  void* blocks[8];
  for (void*& q : blocks) {
    q = ::operator new (size_t(big), std::align_val_t{64});
    if (give_small_block(q, big))
      ++kept;
    else
      ::operator delete (q, std::align_val_t{64});
  }
  CHECK(kept == kSmallClassBytes / big);
  set_memory_cache_limit(0);  // frees this thread's lists and keeps no more
  CHECK(take_small_block(big - 1, cap) == nullptr);
  CHECK_FALSE(give_small_block(p, cap2));
  set_memory_cache_limit(kAutomaticCacheLimit);
  CHECK(give_small_block(p, cap2));
#if !defined(__EMSCRIPTEN__)  // one thread there
  // Another thread has its own lists: p is not there.
  void* other = &other;
  std::thread([&] { other = take_small_block(100, cap); }).join();
  CHECK(other == nullptr);
#endif
  CHECK(take_small_block(100, cap) == p);
  ::operator delete (p, std::align_val_t{64});
}
