#include "core/backend/malloc_policy.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
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

}  // namespace soma
