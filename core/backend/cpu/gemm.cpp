#include "core/backend/gemm.hpp"

#include "core/tensor/tensor.hpp"

namespace soma {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  MatrixMap C(c, m, n);
  if (beta == 0)
    C.setZero();
  else if (beta != 1)
    C *= beta;
  ConstMatrixMap A(a, trans_a ? k : m, trans_a ? m : k);
  ConstMatrixMap B(b, trans_b ? n : k, trans_b ? k : n);
  // Eigen picks its blocked (and, with OpenMP, threaded) kernel for each combination.
  if (!trans_a && !trans_b)
    C.noalias() += alpha * A * B;
  else if (trans_a && !trans_b)
    C.noalias() += alpha * A.transpose() * B;
  else if (!trans_a && trans_b)
    C.noalias() += alpha * A * B.transpose();
  else
    C.noalias() += alpha * A.transpose() * B.transpose();
}

}  // namespace soma
