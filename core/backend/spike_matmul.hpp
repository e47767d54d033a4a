#pragma once
// Products with binary spike matrices. When a layer's input is spikes at low density, the
// product x W^T is a sum of the rows of W^T picked by each input row's active indices:
// O(active * out) instead of O(in * out) per row.
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

// C (rows x n) = beta C + S B, where S is the 0/1 matrix given by s and B is (cols x n).
void spike_matmul(const SpikeRows& s, int64_t rows, const float* b, int64_t n, float beta,
                  float* c);
// C (cols x n) = beta C + S^T G, with G (rows x n): the weight gradient of a spike input.
void spike_matmul_t(const SpikeRows& s, int64_t rows, int64_t cols, const float* g, int64_t n,
                    float beta, float* c);

// Density under which the sparse path beats the dense GEMM (measured by bench/lif_layer).
constexpr double kSpikeDensityThreshold = 0.08;

}  // namespace soma
