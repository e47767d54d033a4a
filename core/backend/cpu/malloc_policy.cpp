#include "core/backend/malloc_policy.hpp"

#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

namespace soma {

bool keep_freed_memory() {
#if defined(__GLIBC__)
  // Setting either threshold also turns off glibc's own adjustment of them.
  const int mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 << 20);
  const int trim_ok = mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return mmap_ok == 1 && trim_ok == 1;
#else
  return false;
#endif
}

bool use_huge_pages(std::vector<float>& v) {
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (v.size() * sizeof(float) < 2 * kHuge) return false;
  std::vector<float> fresh;
  fresh.reserve(v.size());  // a new mapping (or heap space): not touched yet
  // Only whole 2 MB pages inside the buffer can be huge; the advice covers them.
  const uintptr_t begin = (uintptr_t(fresh.data()) + kHuge - 1) & ~(kHuge - 1),
                  end = uintptr_t(fresh.data() + v.size()) & ~(kHuge - 1);
  const bool advised = madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
  fresh.assign(v.begin(), v.end());  // the first touch: the kernel faults in 2 MB pages
  v.swap(fresh);
  return advised;
#else
  (void)v;
  return false;
#endif
}

}  // namespace soma
