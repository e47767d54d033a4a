#include "core/plasticity/stdp_conv.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "core/backend/gemm.hpp"

namespace soma {

namespace {

// sum_b a_b (rows, L) @ cols_b (K, L)^T into out (rows, K).
void sum_over_batch(const Tensor& a, const Tensor& cols, int64_t rows, float* out) {
  int64_t n = cols.size(0), k = cols.size(1), l = cols.size(2);
  for (int64_t b = 0; b < n; ++b)
    gemm(false, true, rows, k, l, 1.0f, a.data() + b * rows * l, cols.data() + b * k * l,
         b == 0 ? 0.0f : 1.0f, out);
}

}  // namespace

void stdp_step_conv2d(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p, Conv2dOptions opt) {
  if (w.dim() != 4 || z_pre.dim() != 4 || z_post.dim() != 4)
    throw std::invalid_argument("stdp_step_conv2d: need 4-D z_pre, z_post and w; got " +
                                to_string(z_pre.shape()) + ", " + to_string(z_post.shape()) + ", " +
                                to_string(w.shape()));
  int64_t cout = w.size(0), kh = w.size(2), kw = w.size(3);
  stdp_traces_step(z_pre, z_post, s, p);
  Tensor t_cols = unfold2d(s.t_pre, int(kh), int(kw), opt);
  Tensor z_cols = unfold2d(z_pre, int(kh), int(kw), opt);
  if (z_post.size(0) != z_pre.size(0) || z_post.size(1) != cout ||
      z_post.size(2) * z_post.size(3) != t_cols.size(2) || w.size(1) != z_pre.size(1))
    throw std::invalid_argument("stdp_step_conv2d: z_post " + to_string(z_post.shape()) +
                                " is not the output of w " + to_string(w.shape()) + " on " +
                                to_string(z_pre.shape()));
  int64_t n = w.numel();
  std::vector<float> pot(static_cast<size_t>(n)), dep(static_cast<size_t>(n));
  sum_over_batch(z_post, t_cols, cout, pot.data());
  sum_over_batch(s.t_post, z_cols, cout, dep.data());
  stdp_apply(w.data(), pot.data(), dep.data(), n, p);
}

}  // namespace soma
