#pragma once
// Threads for the CPU kernels: OpenMP natively, one thread in WebAssembly (built without it).
// Kernels give each thread one contiguous slice of independent work (neurons, batch rows) for
// the whole of a long loop such as all time steps, rather than a parallel loop per step: a
// barrier per step costs more than a small step's work, and on a loaded machine a descheduled
// thread stalls every barrier (measured: a recurrent MNIST epoch ran 4x slower with two
// threads synchronising per step than with one).
#include <algorithm>
#include <cstdint>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace soma {

inline int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Calls f(begin, end) once for each slice of [0, n), concurrently when `parallel`: one slice
// per thread, cut at multiples of `align` (16 floats keep slices on separate cache lines).
// Eigen's GEMM runs single-threaded inside a slice, as it should.
template <class F>
void parallel_slices(int64_t n, bool parallel, F&& f, int64_t align = 1) {
  const int64_t units = (n + align - 1) / align;
  const int parts = parallel ? int(std::min<int64_t>(thread_count(), units)) : 1;
  if (parts <= 1) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
#pragma omp parallel for schedule(static) num_threads(parts)
  for (int p = 0; p < parts; ++p) {
    int64_t b = std::min(n, units * p / parts * align);
    int64_t e = std::min(n, units * (p + 1) / parts * align);
    if (b < e) f(b, e);
  }
}

}  // namespace soma
