// The spike-input product's kernels (equations and layout in spike_body.hpp, which the CPU
// suite runs against the CPU's product).
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/spike_body.hpp"

namespace soma::cuda {

void spike_pack(const SpikeRows& s, const float* x, uint32_t* bits, float* ones, float* others) {
  launch_each(
      s.rows * s.words(),
      [=] __device__(int64_t e) { spike_pack_word(s, x, bits, ones, others, e); }, "spike_pack");
}

void spike_rows_product(const SpikeRows& s, const uint32_t* bits, const float* wt,
                        const float* bias, int64_t n, float* out) {
  launch_each(
      spike_product_threads(s, n),
      [=] __device__(int64_t e) { spike_product_at(s, bits, wt, bias, n, out, e); },
      "spike_rows_product");
}

void transpose2d(int64_t rows, int64_t cols, const float* src, float* dst) {
  launch_each(
      rows * cols, [=] __device__(int64_t e) { transpose_at(rows, cols, src, dst, e); },
      "transpose2d");
}

}  // namespace soma::cuda
