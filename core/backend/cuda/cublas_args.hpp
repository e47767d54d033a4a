#pragma once
// The arguments gemm_cuda (gemm.cpp) passes to cublasSgemm for gemm.hpp's row-major GEMM. A
// row-major (r x c) matrix is the column-major (c x r) matrix of the same memory, so
//   C = op(A) op(B) row-major  is  C^T = op(B)^T op(A)^T column-major:
// swap the operands and m with n, keep the transpose flags. Leading dimensions are the stored
// row lengths, at least 1 (BLAS refuses ld < max(1, rows) even when k = 0 and nothing is read;
// the CPU GEMM then gives C = beta C). Plain C++ without cuBLAS types, so the host suite checks
// the mapping against the CPU GEMM (tests/core/test_cuda_gemm_args.cpp).
#include <algorithm>
#include <cstdint>

namespace soma::cuda {

struct CublasGemmArgs {
  bool trans_first, trans_second;  // cuBLAS's transa, transb
  int64_t m, n, k;                 // cuBLAS's (column-major) sizes
  const float* first;              // cuBLAS's A: our b
  int64_t ld_first;
  const float* second;  // cuBLAS's B: our a
  int64_t ld_second;
  int64_t ldc;
};

inline CublasGemmArgs cublas_gemm_args(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                                       const float* a, const float* b) {
  const int64_t lda = std::max<int64_t>(trans_a ? m : k, 1);  // row length of A as stored
  const int64_t ldb = std::max<int64_t>(trans_b ? k : n, 1);
  return {trans_b, trans_a, n, m, k, b, ldb, a, lda, std::max<int64_t>(n, 1)};
}

}  // namespace soma::cuda
