#pragma once
// The one GEMM entry point every op calls, so that a CUDA backend can slot in behind it.
// Row-major: C (m x n) = alpha * op(A) op(B) + beta * C, op = transpose when the flag is set;
// A is (m x k) or (k x m), B is (k x n) or (n x k), as stored.
#include <cstdint>

namespace soma {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

}  // namespace soma
