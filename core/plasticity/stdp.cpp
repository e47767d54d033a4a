#include "core/plasticity/stdp.hpp"

#include <stdexcept>
#include <string>

#include "core/backend/cuda/stdp_body.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"

namespace soma {

namespace {

static_assert(int(STDPRule::additive) == 0 && int(STDPRule::additive_step) == 1 &&
                  int(STDPRule::multiplicative_pow) == 2 && int(STDPRule::multiplicative_relu) == 3,
              "cuda::StdpBounds::rule numbers the rules as STDPRule");

cuda::StdpBounds bounds_of(const STDPParameters& p) {
  return {int(p.rule), p.w_min, p.w_max, p.eta_plus, p.eta_minus, p.mu, p.hardbound};
}

void trace_step(const Tensor& z, Tensor& t, float tau_inv, float a, float dt) {
  if (z.shape() != t.shape())
    throw std::invalid_argument("stdp: spikes " + to_string(z.shape()) + " differ from trace " +
                                to_string(t.shape()));
  const float rate = dt * tau_inv;
  if (t.device() == Device::cuda)
    return cuda::stdp_trace(z.raw_data(), t.raw_data(), t.numel(), rate, a);
  float* tv = t.data();
  const float* zv = z.data();
  for (int64_t k = 0; k < t.numel(); ++k) tv[k] = cuda::stdp_trace_next(tv[k], zv[k], rate, a);
}

// pot = z_post^T t_pre' and dep = t_post'^T z_pre, (out, in), on the GPU (cuBLAS), then the
// update there.
void linear_update_cuda(const Tensor& z_pre, const Tensor& z_post, Tensor& w, const STDPState& s,
                        const STDPParameters& p) {
  const int64_t out = w.size(0), in = w.size(1), batch = z_pre.size(0);
  Tensor pot = Tensor::uninitialized(w.shape(), Device::cuda),
         dep = Tensor::uninitialized(w.shape(), Device::cuda);
  gemm(Device::cuda, true, false, out, in, batch, 1.0f, z_post.raw_data(), s.t_pre.raw_data(), 0.0f,
       pot.raw_data());
  gemm(Device::cuda, true, false, out, in, batch, 1.0f, s.t_post.raw_data(), z_pre.raw_data(), 0.0f,
       dep.raw_data());
  stdp_apply_on(Device::cuda, w.raw_data(), pot.raw_data(), dep.raw_data(), w.numel(), p);
}

}  // namespace

STDPState stdp_initial_state(const Shape& pre, const Shape& post) {
  return {Tensor::zeros(pre), Tensor::zeros(post)};
}

void stdp_traces_step(const Tensor& z_pre, const Tensor& z_post, STDPState& s,
                      const STDPParameters& p) {
  require_device("stdp_traces_step", z_pre, z_post, s.t_pre, s.t_post);
  trace_step(z_pre, s.t_pre, p.tau_pre_inv, p.a_pre, p.dt);
  trace_step(z_post, s.t_post, p.tau_post_inv, p.a_post, p.dt);
}

void stdp_apply(float* w, const float* pot, const float* dep, int64_t n, const STDPParameters& p) {
  const cuda::StdpBounds b = bounds_of(p);
  for (int64_t k = 0; k < n; ++k) w[k] = cuda::stdp_weight_next(b, w[k], pot[k], dep[k]);
}

void stdp_apply_on(Device d, float* w, const float* pot, const float* dep, int64_t n,
                   const STDPParameters& p) {
  if (d == Device::cuda)
    cuda::stdp_weights(bounds_of(p), w, pot, dep, n);
  else
    stdp_apply(w, pot, dep, n, p);
}

void stdp_step_linear(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p) {
  const Device d = require_device("stdp_step_linear", z_pre, z_post, w, s.t_pre, s.t_post);
  if (z_pre.dim() != 2 || z_post.dim() != 2 || w.dim() != 2 || z_pre.size(0) != z_post.size(0) ||
      w.size(0) != z_post.size(1) || w.size(1) != z_pre.size(1))
    throw std::invalid_argument(
        "stdp_step_linear: need z_pre (B, in), z_post (B, out), w (out, "
        "in); got " +
        to_string(z_pre.shape()) + ", " + to_string(z_post.shape()) + ", " + to_string(w.shape()));
  stdp_traces_step(z_pre, z_post, s, p);
  if (d == Device::cuda) return linear_update_cuda(z_pre, z_post, w, s, p);
  RowMatrix pot = z_post.matrix().transpose() * s.t_pre.matrix();
  RowMatrix dep = s.t_post.matrix().transpose() * z_pre.matrix();
  stdp_apply(w.data(), pot.data(), dep.data(), w.numel(), p);
}

}  // namespace soma
