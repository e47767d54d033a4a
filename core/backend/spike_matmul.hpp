#pragma once
// Products with binary spike matrices. When a layer's input is spikes at low density, the
// product x W^T is a sum of the rows of W^T picked by each input row's active indices:
// O(active * out) adds instead of O(in * out) multiply-adds per row.
//
// Layout: the dense operand is W^T (in x out), so each active input adds one contiguous row.
// Kernels walk the output in column blocks whose slice of W^T (or of the gradient) fits in L2,
// with 64-wide register tiles that the compiler vectorises; OpenMP splits rows (forward) or
// 64-column tiles (weight gradient) so that no two threads write the same element.
#include <cstdint>
#include <vector>

namespace soma {

// Active column indices of each row of a 0/1 matrix (rows x cols), in CSR form.
struct SpikeRows {
  std::vector<int64_t> row_start;  // rows + 1 entries
  std::vector<int32_t> cols;
};

// Returns true and fills `out` when every element of x is 0 or 1 and the fraction of ones is
// at most max_density; false (and stops scanning early) otherwise.
bool spike_rows(const float* x, int64_t rows, int64_t cols, double max_density, SpikeRows& out);

// Rows [r0, r1) of C (rows x n) = beta C + S B, where S is the 0/1 matrix given by s and
// B = W^T is (cols x n); c points at row r0 of C.
void spike_matmul(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* b,
                  int64_t n, float beta, float* c);
// C (cols x n) = beta C + S[r0:r1]^T G, with G (r1 - r0 x n) pointing at row r0: the weight
// gradient of a spike input, transposed (gW^T), accumulated over row blocks with beta = 1.
void spike_matmul_t(const SpikeRows& s, int64_t r0, int64_t r1, int64_t cols, const float* g,
                    int64_t n, float beta, float* c);

// Density under which the sparse path beats the dense GEMM, measured with
// `bench_lif_layer --density` (see bench/lif_layer.cpp for the numbers).
constexpr double kSpikeDensityThreshold = 0.08;

}  // namespace soma
