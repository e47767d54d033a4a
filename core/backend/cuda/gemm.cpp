// gemm_cuda: the row-major GEMM of gemm.hpp through cuBLAS, which is column-major. A row-major
// (r x c) matrix is the column-major (c x r) matrix of the same memory, so C = op(A) op(B)
// row-major is C^T = op(B)^T op(A)^T column-major: swap the operands and m with n, keep the
// transpose flags.
#include "core/backend/gemm.hpp"

#include <stdexcept>

#include "core/backend/cuda/device_context.hpp"

namespace soma {

void gemm_cuda(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    throw std::invalid_argument("gemm_cuda: a dimension exceeds cuBLAS's 32-bit int");
  const int lda = int(trans_a ? m : k);  // row length of A as stored
  const int ldb = int(trans_b ? k : n);
  cuda::check(cublasSgemm(cuda::cublas(), trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                          trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, int(n), int(m), int(k), &alpha, b,
                          ldb, a, lda, &beta, c, int(n)),
              "cublasSgemm");
}

}  // namespace soma
