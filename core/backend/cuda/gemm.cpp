// gemm_cuda: the row-major GEMM of gemm.hpp through cuBLAS, which is column-major; the argument
// mapping is cublas_args.hpp's.
#include "core/backend/gemm.hpp"

#include <stdexcept>

#include "core/backend/cuda/cublas_args.hpp"
#include "core/backend/cuda/device_context.hpp"

namespace soma {

void gemm_cuda(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    throw std::invalid_argument("gemm_cuda: a dimension exceeds cuBLAS's 32-bit int");
  const cuda::CublasGemmArgs g = cuda::cublas_gemm_args(trans_a, trans_b, m, n, k, a, b);
  cuda::check(
      cublasSgemm(cuda::cublas(), g.trans_first ? CUBLAS_OP_T : CUBLAS_OP_N,
                  g.trans_second ? CUBLAS_OP_T : CUBLAS_OP_N, int(g.m), int(g.n), int(g.k), &alpha,
                  g.first, int(g.ld_first), g.second, int(g.ld_second), &beta, c, int(g.ldc)),
      "cublasSgemm");
  cuda::counted_gemm();
}

}  // namespace soma
