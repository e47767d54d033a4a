#pragma once
// The one GEMM entry point every op calls, so that a CUDA backend can slot in behind it.
// Row-major: C (m x n) = alpha * op(A) op(B) + beta * C, op = transpose when the flag is set;
// A is (m x k) or (k x m), B is (k x n) or (n x k), as stored.
#include <cstdint>

#include "core/tensor/device.hpp"

namespace soma {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

// The same on device pointers, through cuBLAS on the backend's stream (fp32; TF32 when
// cuda::set_tf32(true)). A build without CUDA throws.
void gemm_cuda(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, const float* b, float beta, float* c);

// Dispatch on the operands' device.
inline void gemm(Device device, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                 float alpha, const float* a, const float* b, float beta, float* c) {
  if (device == Device::cuda)
    gemm_cuda(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  else
    gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
}

}  // namespace soma
