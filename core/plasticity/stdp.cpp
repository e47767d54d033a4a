#include "core/plasticity/stdp.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/backend/device_check.hpp"

namespace soma {

namespace {

float step_fn(float x) {
  return x > 0.0f ? 1.0f : 0.0f;
}

// The soft-bound factors A+(w) and A-(w) of the rule.
void soft_bounds(float w, const STDPParameters& p, float& a_plus, float& a_minus) {
  float up = p.w_max - w, down = w - p.w_min;
  switch (p.rule) {
    case STDPRule::additive:
      a_plus = 1.0f, a_minus = 1.0f;
      break;
    case STDPRule::additive_step:
      a_plus = step_fn(up), a_minus = step_fn(down);
      break;
    case STDPRule::multiplicative_pow:
      a_plus = std::pow(std::max(up, 0.0f), p.mu), a_minus = std::pow(std::max(down, 0.0f), p.mu);
      break;
    case STDPRule::multiplicative_relu:
      a_plus = std::max(up, 0.0f), a_minus = std::max(down, 0.0f);
      break;
  }
  a_plus *= p.eta_plus;
  a_minus *= p.eta_minus;
}

void trace_step(const Tensor& z, Tensor& t, float tau_inv, float a, float dt) {
  if (z.shape() != t.shape())
    throw std::invalid_argument("stdp: spikes " + to_string(z.shape()) + " differ from trace " +
                                to_string(t.shape()));
  t.array() += dt * tau_inv * (a * z.array() - t.array());
}

}  // namespace

STDPState stdp_initial_state(const Shape& pre, const Shape& post) {
  return {Tensor::zeros(pre), Tensor::zeros(post)};
}

void stdp_traces_step(const Tensor& z_pre, const Tensor& z_post, STDPState& s,
                      const STDPParameters& p) {
  trace_step(z_pre, s.t_pre, p.tau_pre_inv, p.a_pre, p.dt);
  trace_step(z_post, s.t_post, p.tau_post_inv, p.a_post, p.dt);
}

void stdp_apply(float* w, const float* pot, const float* dep, int64_t n, const STDPParameters& p) {
  for (int64_t k = 0; k < n; ++k) {
    float a_plus = 0, a_minus = 0;  // soft_bounds sets both (GCC cannot see it)
    soft_bounds(w[k], p, a_plus, a_minus);
    float next = w[k] + a_plus * pot[k] - a_minus * dep[k];
    w[k] = p.hardbound ? std::clamp(next, p.w_min, p.w_max) : next;
  }
}

void stdp_step_linear(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p) {
  require_cpu("stdp_step_linear", z_pre, z_post, w, s.t_pre, s.t_post);
  if (z_pre.dim() != 2 || z_post.dim() != 2 || w.dim() != 2 || z_pre.size(0) != z_post.size(0) ||
      w.size(0) != z_post.size(1) || w.size(1) != z_pre.size(1))
    throw std::invalid_argument(
        "stdp_step_linear: need z_pre (B, in), z_post (B, out), w (out, "
        "in); got " +
        to_string(z_pre.shape()) + ", " + to_string(z_post.shape()) + ", " + to_string(w.shape()));
  stdp_traces_step(z_pre, z_post, s, p);
  RowMatrix pot = z_post.matrix().transpose() * s.t_pre.matrix();
  RowMatrix dep = s.t_post.matrix().transpose() * z_pre.matrix();
  stdp_apply(w.data(), pot.data(), dep.data(), w.numel(), p);
}

}  // namespace soma
