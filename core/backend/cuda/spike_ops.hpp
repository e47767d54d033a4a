#pragma once
// Device kernels of the spike-input product on the GPU (core/ops/cuda_spike_linear.cpp calls
// them; built with SOMA_CUDA only, so a build without CUDA has neither these nor stubs). Plain
// C++ with SOMA_HD members, so nvcc, the core and the host tests of the bodies
// (spike_body.hpp) share it.
#include <cstdint>

#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

// An input of `rows` rows of k values, packed 32 to a word.
struct SpikeRows {
  int64_t rows, k;
  SOMA_HD int64_t words() const { return (k + 31) / 32; }
};

// bits (rows, words): bit b of word w of row r is [x[r, 32 w + b] == 1]; ones and others (rows,
// words): per word, its count of ones and of other values than 0 and 1 (NaN included).
void spike_pack(const SpikeRows& s, const float* x, uint32_t* bits, float* ones, float* others);
// out (rows, n) = for each row, the sum of the rows of wt (k, n) its ones pick, in ascending
// order, then + bias (n, or null).
void spike_rows_product(const SpikeRows& s, const uint32_t* bits, const float* wt,
                        const float* bias, int64_t n, float* out);
// dst (cols, rows) = src (rows, cols) transposed.
void transpose2d(int64_t rows, int64_t cols, const float* src, float* dst);

}  // namespace soma::cuda
