#include "core/backend/gemm.hpp"

#include "core/backend/cpu/isa_kernels.hpp"

namespace soma {

// Eigen's blocked GEMM, compiled per instruction-set level (kernels_isa.inl).
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  active_kernels().gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
}

}  // namespace soma
