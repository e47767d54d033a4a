#include "core/backend/spike_matmul.hpp"

#include <algorithm>
#include <atomic>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace soma {

namespace {

constexpr int64_t kTile = 64;  // floats per register tile (4 AVX-512 vectors)
constexpr int64_t kBlockBytes = int64_t(1)
                                << 19;  // a column block of the dense operand: half an L2

// Columns per block of the forward kernel: a multiple of the tile whose slice of a (rows_b x n)
// operand fits the budget.
int64_t block_columns(int64_t rows_b, int64_t n) {
  int64_t w = kBlockBytes / (int64_t(sizeof(float)) * std::max<int64_t>(rows_b, 1));
  return std::min(n, std::max(kTile, w / kTile * kTile));
}

int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Scans rows [r0, r1) into local CSR pieces; false when x is not binary or over budget.
bool scan_rows(const float* x, int64_t r0, int64_t r1, int64_t cols, int64_t budget,
               const std::atomic<bool>& failed, std::vector<int64_t>& counts,
               std::vector<int32_t>& active) {
  for (int64_t r = r0; r < r1; ++r) {
    if (failed.load(std::memory_order_relaxed)) return false;
    const float* row = x + r * cols;
    for (int64_t j = 0; j < cols; ++j) {
      if (row[j] == 0.0f) continue;
      if (row[j] != 1.0f || int64_t(active.size()) >= budget) return false;
      active.push_back(int32_t(j));
    }
    counts.push_back(int64_t(active.size()));
  }
  return true;
}

// acc[0, width) += src rows listed in idx[0, count), each `stride` floats apart.
inline void add_rows(float* acc, int64_t width, const float* src, int64_t stride,
                     const int32_t* idx, int64_t count) {
  for (int64_t j = 0; j < width; j += kTile) {
    if (j + kTile <= width) {
      float t[kTile];
      for (int64_t k = 0; k < kTile; ++k) t[k] = acc[j + k];
      for (int64_t a = 0; a < count; ++a) {
        const float* s = src + int64_t(idx[a]) * stride + j;
        for (int64_t k = 0; k < kTile; ++k) t[k] += s[k];
      }
      for (int64_t k = 0; k < kTile; ++k) acc[j + k] = t[k];
    } else {
      for (int64_t a = 0; a < count; ++a) {
        const float* s = src + int64_t(idx[a]) * stride;
        for (int64_t k = j; k < width; ++k) acc[k] += s[k];
      }
    }
  }
}

void scale(float* c, int64_t n, float beta) {
  if (beta == 0)
    std::fill(c, c + n, 0.0f);
  else if (beta != 1)
    for (int64_t k = 0; k < n; ++k) c[k] *= beta;
}

}  // namespace

bool spike_rows(const float* x, int64_t rows, int64_t cols, double max_density, SpikeRows& out) {
  const int64_t budget = int64_t(max_density * double(rows * cols));
  const int parts = rows * cols >= (int64_t(1) << 18) ? thread_count() : 1;
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(parts));
  std::vector<std::vector<int32_t>> active(static_cast<size_t>(parts));
  std::atomic<bool> failed{false};
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
  for (int p = 0; p < parts; ++p) {
    int64_t r0 = rows * p / parts, r1 = rows * (p + 1) / parts;
    counts[size_t(p)].reserve(size_t(r1 - r0));
    if (!scan_rows(x, r0, r1, cols, budget, failed, counts[size_t(p)], active[size_t(p)]))
      failed = true;
  }
  if (failed) return false;
  out.row_start.assign(1, 0);
  out.row_start.reserve(size_t(rows + 1));
  out.cols.clear();
  for (int p = 0; p < parts; ++p) {
    int64_t base = int64_t(out.cols.size());
    for (int64_t c : counts[size_t(p)]) out.row_start.push_back(base + c);
    out.cols.insert(out.cols.end(), active[size_t(p)].begin(), active[size_t(p)].end());
  }
  return int64_t(out.cols.size()) <= budget;
}

void spike_matmul(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* b,
                  int64_t n, float beta, float* c) {
  const int64_t bw = block_columns(cols, n);
#pragma omp parallel for schedule(static) if ((r1 - r0) * n >= 65536)
  for (int64_t r = r0; r < r1; ++r) scale(c + (r - r0) * n, n, beta);
    // Threads take row ranges; each walks column blocks outermost so that the block of W^T it
    // reads stays in its L2 across all its rows.
#pragma omp parallel if ((r1 - r0) * n >= 65536)
  {
#ifdef _OPENMP
    int threads = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int threads = 1, id = 0;
#endif
    int64_t a0 = r0 + (r1 - r0) * id / threads, a1 = r0 + (r1 - r0) * (id + 1) / threads;
    for (int64_t j = 0; j < n; j += bw)
      for (int64_t r = a0; r < a1; ++r) {
        int64_t first = s.row_start[size_t(r)], count = s.row_start[size_t(r + 1)] - first;
        add_rows(c + (r - r0) * n + j, std::min(bw, n - j), b + j, n, s.cols.data() + first, count);
      }
  }
}

void spike_matmul_t(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* g,
                    int64_t n, float beta, float* c) {
  scale(c, cols * n, beta);
  // Threads own disjoint column blocks of C, so no two write the same element; inside a block,
  // each gradient row's tile is loaded once and added to the rows of C its spikes select.
#pragma omp parallel for schedule(dynamic) if ((r1 - r0) * n >= 65536)
  for (int64_t j = 0; j < n; j += kTile) {
    const int64_t w = std::min(kTile, n - j);
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = g + (r - r0) * n + j;
      for (int64_t a = s.row_start[size_t(r)]; a < s.row_start[size_t(r + 1)]; ++a) {
        float* dst = c + int64_t(s.cols[size_t(a)]) * n + j;
        for (int64_t k = 0; k < w; ++k) dst[k] += src[k];
      }
    }
  }
}

}  // namespace soma
