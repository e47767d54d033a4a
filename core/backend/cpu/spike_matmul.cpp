#include "core/backend/spike_matmul.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/parallel.hpp"

namespace soma {

namespace {

constexpr int64_t kTile = kSpikeTile;

// Scans rows [r0, r1) into local CSR pieces; false when x is not binary or over budget.
bool scan_rows(const float* x, int64_t r0, int64_t r1, int64_t cols, int64_t budget,
               const std::atomic<bool>& failed, std::vector<int64_t>& counts,
               std::vector<int32_t>& active) {
  // Blocks of 16: a branch-free pass gives the mask of non-zeros and whether any is not 1;
  // the indices come from the mask bits. One branch per block instead of one per element.
  for (int64_t r = r0; r < r1; ++r) {
    if (failed.load(std::memory_order_relaxed)) return false;
    const float* row = x + r * cols;
    for (int64_t j = 0; j < cols; j += 16) {
      const int64_t w = std::min<int64_t>(16, cols - j);
      uint32_t mask = 0, bad = 0;
      for (int64_t k = 0; k < w; ++k) {
        mask |= uint32_t(row[j + k] != 0.0f) << k;
        bad |= uint32_t(row[j + k] != 0.0f && row[j + k] != 1.0f);
      }
      if (!mask) continue;
      if (bad || int64_t(active.size()) + __builtin_popcount(mask) > budget) return false;
      for (; mask; mask &= mask - 1) active.push_back(int32_t(j + __builtin_ctz(mask)));
    }
    counts.push_back(int64_t(active.size()));
  }
  return true;
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

std::vector<float> pack_spike_weights(const float* w, int64_t out, int64_t in) {
  const int64_t tiles = (out + kTile - 1) / kTile;
  std::vector<float> packed(size_t(tiles * in * kTile), 0.0f);
  for (int64_t p = 0; p < tiles; ++p)
    for (int64_t k = 0; k < kTile && p * kTile + k < out; ++k) {
      const float* row = w + (p * kTile + k) * in;
      float* dst = packed.data() + p * in * kTile + k;
      for (int64_t a = 0; a < in; ++a) dst[a * kTile] = row[a];
    }
  return packed;
}

namespace {
CsrView csr(const SpikeRows& s) {
  return {s.row_start.data(), s.cols.data()};
}
}  // namespace

// The kernels are compiled per instruction-set level (kernels_isa.inl).
void spike_matmul_groups(const SpikeRows& s, RowGroups rg, int64_t cols, const float* packed,
                         int64_t n, float beta, float* c) {
  active_kernels().spike_matmul_groups(csr(s), rg.first, rg.width, rg.count, rg.stride, cols,
                                       packed, n, beta, c);
}

void spike_matmul(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* packed,
                  int64_t n, float beta, float* c) {
  // Threads take row ranges.
#pragma omp parallel if ((r1 - r0) * n >= 65536)
  {
#ifdef _OPENMP
    int threads = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int threads = 1, id = 0;
#endif
    int64_t a0 = r0 + (r1 - r0) * id / threads, a1 = r0 + (r1 - r0) * (id + 1) / threads;
    for (int64_t b0 = a0; b0 < a1; b0 += 64) {
      int64_t b1 = std::min(a1, b0 + 64);
      spike_matmul_groups(s, {b0, b1 - b0, 1, 0}, cols, packed, n, beta, c + (b0 - r0) * n);
    }
  }
}

void spike_matmul_t(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* g,
                    int64_t n, float beta, float* c) {
  active_kernels().spike_matmul_t(csr(s), r0, r1, cols, g, n, beta, c);
}

}  // namespace soma
