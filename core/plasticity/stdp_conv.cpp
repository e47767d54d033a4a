#include "core/plasticity/stdp_conv.hpp"

#include <stdexcept>
#include <string>

#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"

namespace soma {

namespace {

// sum_b a_b (rows, L) @ cols_b (K, L)^T into out (rows, K), on the operands' device.
void sum_over_batch(const Tensor& a, const Tensor& cols, int64_t rows, Tensor& out) {
  int64_t n = cols.size(0), k = cols.size(1), l = cols.size(2);
  for (int64_t b = 0; b < n; ++b)
    gemm(a.device(), false, true, rows, k, l, 1.0f, a.raw_data() + b * rows * l,
         cols.raw_data() + b * k * l, b == 0 ? 0.0f : 1.0f, out.raw_data());
}

}  // namespace

void stdp_step_conv2d(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p, Conv2dOptions opt) {
  if (w.dim() != 4 || z_pre.dim() != 4 || z_post.dim() != 4)
    throw std::invalid_argument("stdp_step_conv2d: need 4-D z_pre, z_post and w; got " +
                                to_string(z_pre.shape()) + ", " + to_string(z_post.shape()) + ", " +
                                to_string(w.shape()));
  const Device d = require_device("stdp_step_conv2d", z_pre, z_post, w, s.t_pre, s.t_post);
  int64_t cout = w.size(0), kh = w.size(2), kw = w.size(3);
  stdp_traces_step(z_pre, z_post, s, p);
  Tensor t_cols = unfold2d(s.t_pre, int(kh), int(kw), opt);
  Tensor z_cols = unfold2d(z_pre, int(kh), int(kw), opt);
  if (z_post.size(0) != z_pre.size(0) || z_post.size(1) != cout ||
      z_post.size(2) * z_post.size(3) != t_cols.size(2) || w.size(1) != z_pre.size(1))
    throw std::invalid_argument("stdp_step_conv2d: z_post " + to_string(z_post.shape()) +
                                " is not the output of w " + to_string(w.shape()) + " on " +
                                to_string(z_pre.shape()));
  Tensor pot = Tensor::zeros(w.shape(), d), dep = Tensor::zeros(w.shape(), d);  // for a 0 batch
  sum_over_batch(z_post, t_cols, cout, pot);
  sum_over_batch(s.t_post, z_cols, cout, dep);
  stdp_apply_on(d, w.raw_data(), pot.raw_data(), dep.raw_data(), w.numel(), p);
}

}  // namespace soma
