#include "core/backend/spike_matmul.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/parallel.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

namespace {

constexpr int64_t kTile = kSpikeTile;

// One thread's rows as a CSR piece (the kernel spike_scan_rows fills it).
struct RowsPart {
  int64_t r0 = 0, r1 = 0, count = 0;
  std::unique_ptr<int64_t[]> row_end;
  std::unique_ptr<int32_t[]> active;  // uninitialised: only the first `count` are written
};

}  // namespace

bool spike_rows(const float* x, int64_t rows, int64_t cols, double max_density, SpikeRows& out) {
  const int64_t budget = spike_budget(max_density, rows * cols);
  const int parts = rows * cols >= (int64_t(1) << 18) ? thread_count() : 1;
  std::vector<RowsPart> part(static_cast<size_t>(parts));
  int failed = 0;  // read by the kernel with __atomic_load_n: a part that fails stops the others
  const IsaKernels& k = active_kernels();
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
  for (int p = 0; p < parts; ++p) {
    RowsPart& q = part[size_t(p)];
    q.r0 = rows * p / parts, q.r1 = rows * (p + 1) / parts;
    q.row_end.reset(new int64_t[size_t(std::max<int64_t>(1, q.r1 - q.r0))]);
    // First with room for a density of 1/8 only, then (denser input, or not 0/1) with the
    // whole budget: a buffer for the budget (128 MB at max_density 1 for the 32000 x 1000
    // input of bench_lif_layer) is mapped fresh by every call, and its page faults (8 us each
    // in this VM) cost more than the scan of the input.
    const int64_t full = std::min(budget, (q.r1 - q.r0) * cols);
    for (int64_t cap : {std::min(full, (q.r1 - q.r0) * cols / 8 + 64), full}) {
      q.active.reset(new int32_t[size_t(std::max<int64_t>(cap, 1))]);
      q.count =
          k.spike_scan_rows(x, q.r0, q.r1, cols, cap, &failed, q.row_end.get(), q.active.get());
      if (q.count >= 0 || cap == full) break;
    }
    if (q.count < 0) __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
  }
  if (failed) return false;
  int64_t total = 0;
  for (const RowsPart& q : part) total += q.count;
  if (total > budget) return false;
  out.row_start.resize(size_t(rows + 1));
  out.cols.resize(size_t(total));
  out.row_start[0] = 0;
  int64_t base = 0;
  for (const RowsPart& q : part) {
    for (int64_t r = q.r0; r < q.r1; ++r) out.row_start[size_t(r + 1)] = base + q.row_end[r - q.r0];
    std::copy(q.active.get(), q.active.get() + q.count, out.cols.begin() + base);
    base += q.count;
  }
  return true;
}

bool spike_rows(const Tensor& x, int64_t rows, int64_t cols, double max_density, SpikeRows& out) {
  const Storage::SpikeIndex* flat = x.spike_index();
  if (!flat || rows * cols > x.numel()) return spike_rows(x.data(), rows, cols, max_density, out);
  // The spikes among the first rows * cols values; the same decision as the scan.
  const size_t count =
      size_t(std::lower_bound(flat->begin(), flat->end(), rows * cols) - flat->begin());
  if (int64_t(count) > spike_budget(max_density, rows * cols)) return false;
  // The index is sorted: one walk over rows and spikes together, no division per spike. Rows
  // split among the threads, each starting at its first spike (a binary search): on one thread
  // this was the recurrent weight gradient's serial part (2 threads: 0.6% of a rec training
  // step's samples, all on one).
  out.row_start.resize(size_t(rows + 1));
  out.cols.resize(count);
  parallel_slices(rows, count >= (size_t(1) << 14), [&](int64_t r0, int64_t r1) {
    size_t a =
        size_t(std::lower_bound(flat->begin(), flat->begin() + count, r0 * cols) - flat->begin());
    for (int64_t r = r0; r < r1; ++r) {
      out.row_start[size_t(r)] = int64_t(a);
      const int64_t first = r * cols, end = first + cols;
      for (; a < count && (*flat)[a] < end; ++a) out.cols[a] = int32_t((*flat)[a] - first);
    }
  });
  out.row_start[size_t(rows)] = int64_t(count);
  return true;
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

void scatter_spike_row(float* dst, int64_t ld, const float* g, int64_t n, const int32_t* cols,
                       int64_t count) {
  active_kernels().scatter_spike_row(dst, ld, g, n, cols, count);
}

}  // namespace soma
