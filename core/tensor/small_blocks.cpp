#include "core/tensor/small_blocks.hpp"

#include <atomic>
#include <new>

#include "core/tensor/memory_stats.hpp"

namespace soma {

namespace {

constexpr std::align_val_t kAlign{64};  // Storage's alignment
constexpr int kMinShift = 6;            // 64 B
constexpr int kClasses = 11;            // 64 B ... 64 KB
static_assert((int64_t(1) << (kMinShift + kClasses - 1)) == kCachedMinBytes);

std::atomic<bool> enabled{true};

// Trivially destructible, so a buffer freed after the owner below ran (a tensor destroyed
// late in the thread's exit) still finds `closed` and is freed at once.
struct Lists {
  void* head[kClasses];
  int32_t count[kClasses];
  bool closed;
};
thread_local Lists lists;

void free_all() {
  for (int c = 0; c < kClasses; ++c) {
    while (void* p = lists.head[c]) {
      lists.head[c] = *static_cast<void**>(p);
      ::operator delete(p, kAlign);
    }
    lists.count[c] = 0;
  }
}

// Frees the thread's blocks when it ends.
struct Owner {
  ~Owner() {
    free_all();
    lists.closed = true;
  }
};
thread_local Owner owner;

int size_class(int64_t bytes) {
  int c = 0;
  while ((int64_t(1) << (kMinShift + c)) < bytes) ++c;
  return c;
}

}  // namespace

void* take_small_block(int64_t bytes, int64_t& capacity) {
  const int c = size_class(bytes);
  capacity = int64_t(1) << (kMinShift + c);
  if (!kSmallBlocks || lists.closed) return nullptr;
  void* p = lists.head[c];
  if (p) {
    lists.head[c] = *static_cast<void**>(p);
    --lists.count[c];
  }
  return p;
}

bool give_small_block(void* p, int64_t capacity) {
  if (!kSmallBlocks || lists.closed || !enabled.load(std::memory_order_relaxed)) return false;
  (void)&owner;  // registers the thread's clean-up on its first block
  const int c = size_class(capacity);
  if (int64_t(lists.count[c] + 1) * capacity > kSmallClassBytes) return false;
  *static_cast<void**>(p) = lists.head[c];
  lists.head[c] = p;
  ++lists.count[c];
  return true;
}

void release_small_blocks() {
  free_all();
}

void set_small_blocks_enabled(bool on) {
  enabled.store(on, std::memory_order_relaxed);
}

}  // namespace soma
