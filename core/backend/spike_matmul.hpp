#pragma once
// Products with binary spike matrices. When a layer's input is spikes at low density, the
// product x W^T is a sum of the rows of W^T picked by each input row's active indices:
// O(active * out) adds instead of O(in * out) multiply-adds per row.
//
// Layout: the dense operand W (out x in) is packed as W^T in panels of 64 output columns, each
// panel (in x 64) contiguous: an active input adds one 256-byte row of a panel. Rows of a plain
// W^T lie 4 KB apart for in = 1024 and collide in the same cache sets; panel rows do not. The
// kernels walk one panel at a time (it stays in L2) with a 64-float register tile that the
// compiler vectorises; OpenMP splits rows (forward) or panels (weight gradient), so no two
// threads write the same element.
#include <cstdint>
#include <vector>

namespace soma {

// Active column indices of each row of a 0/1 matrix (rows x cols), in CSR form.
struct SpikeRows {
  std::vector<int64_t> row_start;  // rows + 1 entries
  std::vector<int32_t> cols;
};

// The most ones a 0/1 matrix of n elements may hold for the sparse path.
inline int64_t spike_budget(double max_density, int64_t n) {
  return int64_t(max_density * double(n));
}

// Returns true and fills `out` when every element of x is 0 or 1 and the fraction of ones is
// at most max_density (spike_budget); false (and stops scanning early) otherwise.
bool spike_rows(const float* x, int64_t rows, int64_t cols, double max_density, SpikeRows& out);

// The same for the first rows x cols elements of a tensor (all of it or a prefix), from the
// spike index its producer attached (Tensor::spike_index) when there is one, without reading
// the values; else by scanning them.
class Tensor;
bool spike_rows(const Tensor& x, int64_t rows, int64_t cols, double max_density, SpikeRows& out);

constexpr int64_t kSpikeTile = 64;

// W (out x in, row-major) packed for spike_matmul: ceil(out / 64) panels of (in x 64) floats.
std::vector<float> pack_spike_weights(const float* w, int64_t out, int64_t in);

// Rows [r0, r1) of C (rows x n) = beta C + S W^T, where S is the 0/1 matrix given by s and W
// (n x cols) was packed by pack_spike_weights; c points at row r0 of C.
void spike_matmul(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* packed,
                  int64_t n, float beta, float* c);
// Rows first + g * stride + b, for g < count and b < width: the rows one thread owns when it
// takes a slice of the batch over several time steps.
struct RowGroups {
  int64_t first, width, count, stride;
};
// The same product, single-threaded, on those rows; c points at row `first`, and C's row for
// (g, b) lies at (g * stride + b) * n.
void spike_matmul_groups(const SpikeRows& s, RowGroups rows, int64_t cols, const float* packed,
                         int64_t n, float beta, float* c);

// C (cols x n) = beta C + S[r0:r1]^T G, with G (r1 - r0 x n) pointing at row r0: the weight
// gradient of a spike input, transposed (gW^T), accumulated over row blocks with beta = 1.
void spike_matmul_t(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* g,
                    int64_t n, float beta, float* c);

// The rows of dst (ld floats apart, ld a multiple of 16 and >= n; the columns past n are
// padding and get zeros added) listed in cols[0, count) += g[0, n): one spiking input row's
// share of a transposed weight gradient S^T G, for a gradient small enough to stay in L1 (a
// read-out's, ff_layer.cpp). Gathering the recurrent layer's gradient (H = 100) this way step
// by step during its backward scan measured slower than spike_matmul_t after it (31 steps of
// 256 x 100 at density 0.1: 0.75 against 0.51 ms; read-modify-writes of the same rows).
void scatter_spike_row(float* dst, int64_t ld, const float* g, int64_t n, const int32_t* cols,
                       int64_t count);

// Density under which the sparse path is taken. `bench_lif_layer --density` (2 threads, AVX-512,
// Eigen GEMM at 250-330 GFLOP/s) measured sparse / dense time, spike detection + forward +
// weight gradient against the two GEMMs, for (8000 x 1024) and (32000 x 1000) inputs:
//   p = 0.05: 0.18-0.19   0.10: 0.24-0.27   0.15: 0.33-0.51   0.20: 0.44-0.45   0.30: 0.69-1.08
// The crossover is near 0.3; 0.2 keeps a margin for noise and for machines where the GEMM is
// relatively faster, and bounds the wasted scan on dense binary input.
constexpr double kSpikeDensityThreshold = 0.2;

}  // namespace soma
