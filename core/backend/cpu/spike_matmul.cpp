#include "core/backend/spike_matmul.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

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

// 16 floats as one value: GCC and Clang keep these in registers (AVX-512: one register, AVX2:
// two, WebAssembly without SIMD: scalars), where a float[64] accumulator was kept on the stack,
// a store-to-load dependency per add that halved the speed.
typedef float Vec16 __attribute__((vector_size(64)));

inline Vec16 load16(const float* p) {
  Vec16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store16(float* p, Vec16 v) {
  std::memcpy(p, &v, sizeof v);
}

// t[0, 64) = the sum of the panel rows listed in idx[0, count). The panel is contiguous, so
// its rows do not collide in cache as rows of W^T 4 KB apart would.
inline void sum_tile(float* t, const float* panel, const int32_t* idx, int64_t count) {
  static_assert(kTile == 64);
  Vec16 a0 = {}, a1 = {}, a2 = {}, a3 = {};
  for (int64_t a = 0; a < count; ++a) {
    const float* src = panel + int64_t(idx[a]) * kTile;
    a0 += load16(src);
    a1 += load16(src + 16);
    a2 += load16(src + 32);
    a3 += load16(src + 48);
  }
  std::memcpy(t, &a0, sizeof a0);
  std::memcpy(t + 16, &a1, sizeof a1);
  std::memcpy(t + 32, &a2, sizeof a2);
  std::memcpy(t + 48, &a3, sizeof a3);
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

void spike_matmul_groups(const SpikeRows& s, RowGroups rg, int64_t cols, const float* packed,
                         int64_t n, float beta, float* c) {
  // Tiles are summed into a small contiguous buffer and copied out group by group: stores 4 KB
  // apart interleaved with the panel loads would slow the kernel. Panels outermost, so the one
  // in use (cols x 64 floats) stays in L2 across all rows.
  std::vector<float> stage(size_t(rg.width * kTile));
  for (int64_t j = 0; j < n; j += kTile) {
    const float* panel = packed + j * cols;
    const int64_t w = std::min(kTile, n - j);
    for (int64_t g = 0; g < rg.count; ++g) {
      const int64_t first = rg.first + g * rg.stride;
      for (int64_t b = 0; b < rg.width; ++b) {
        int64_t a0 = s.row_start[size_t(first + b)],
                count = s.row_start[size_t(first + b + 1)] - a0;
        sum_tile(stage.data() + b * kTile, panel, s.cols.data() + a0, count);
      }
      for (int64_t b = 0; b < rg.width; ++b) {
        float* out = c + (g * rg.stride + b) * n + j;
        const float* t = stage.data() + b * kTile;
        if (beta == 0)
          for (int64_t k = 0; k < w; ++k) out[k] = t[k];
        else
          for (int64_t k = 0; k < w; ++k) out[k] = beta * out[k] + t[k];
      }
    }
  }
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
  // Threads own disjoint 64-column tiles of C. A tile is summed in a contiguous panel
  // (cols x 64), where the rows its spikes select do not collide in cache, then added to C.
#pragma omp parallel if ((r1 - r0) * n >= 65536)
  {
    std::vector<float> panel(size_t(cols * kTile));
#pragma omp for schedule(dynamic)
    for (int64_t j = 0; j < n; j += kTile) {
      const int64_t w = std::min(kTile, n - j);
      std::fill(panel.begin(), panel.end(), 0.0f);
      for (int64_t r = r0; r < r1; ++r) {
        float t[kTile] = {};
        std::memcpy(t, g + (r - r0) * n + j, size_t(w) * sizeof(float));
        const Vec16 t0 = load16(t), t1 = load16(t + 16), t2 = load16(t + 32), t3 = load16(t + 48);
        for (int64_t a = s.row_start[size_t(r)]; a < s.row_start[size_t(r + 1)]; ++a) {
          float* dst = panel.data() + int64_t(s.cols[size_t(a)]) * kTile;
          store16(dst, load16(dst) + t0);
          store16(dst + 16, load16(dst + 16) + t1);
          store16(dst + 32, load16(dst + 32) + t2);
          store16(dst + 48, load16(dst + 48) + t3);
        }
      }
      for (int64_t a = 0; a < cols; ++a) {
        float* dst = c + a * n + j;
        const float* src = panel.data() + a * kTile;
        if (beta == 0)
          for (int64_t k = 0; k < w; ++k) dst[k] = src[k];
        else
          for (int64_t k = 0; k < w; ++k) dst[k] = beta * dst[k] + src[k];
      }
    }
  }
}

}  // namespace soma
