#include "core/backend/spike_matmul.hpp"

#include <algorithm>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace soma {

bool spike_rows(const float* x, int64_t rows, int64_t cols, double max_density, SpikeRows& out) {
  const int64_t budget = int64_t(max_density * double(rows * cols));
  out.row_start.assign(size_t(rows + 1), 0);
  out.cols.clear();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    for (int64_t j = 0; j < cols; ++j) {
      if (row[j] == 0.0f) continue;
      if (row[j] != 1.0f || int64_t(out.cols.size()) >= budget) return false;
      out.cols.push_back(int32_t(j));
    }
    out.row_start[size_t(r + 1)] = int64_t(out.cols.size());
  }
  return true;
}

void spike_matmul(const SpikeRows& s, int64_t rows, const float* b, int64_t n, float beta,
                  float* c) {
#pragma omp parallel for schedule(static) if (rows * n >= 65536)
  for (int64_t r = 0; r < rows; ++r) {
    float* out = c + r * n;
    if (beta == 0)
      std::fill(out, out + n, 0.0f);
    else if (beta != 1)
      for (int64_t k = 0; k < n; ++k) out[k] *= beta;
    for (int64_t a = s.row_start[size_t(r)]; a < s.row_start[size_t(r + 1)]; ++a) {
      const float* src = b + int64_t(s.cols[size_t(a)]) * n;
      for (int64_t k = 0; k < n; ++k) out[k] += src[k];
    }
  }
}

void spike_matmul_t(const SpikeRows& s, int64_t rows, int64_t cols, const float* g, int64_t n,
                    float beta, float* c) {
  if (beta == 0)
    std::fill(c, c + cols * n, 0.0f);
  else if (beta != 1)
    for (int64_t k = 0; k < cols * n; ++k) c[k] *= beta;
      // Threads own disjoint blocks of output columns (k) so that no two write the same element.
#pragma omp parallel
  {
#ifdef _OPENMP
    int threads = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int threads = 1, id = 0;
#endif
    int64_t k0 = n * id / threads, k1 = n * (id + 1) / threads;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t a = s.row_start[size_t(r)]; a < s.row_start[size_t(r + 1)]; ++a) {
        float* dst = c + int64_t(s.cols[size_t(a)]) * n;
        const float* src = g + r * n;
        for (int64_t k = k0; k < k1; ++k) dst[k] += src[k];
      }
  }
}

}  // namespace soma
