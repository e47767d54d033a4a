#pragma once
// Spike-timing-dependent plasticity (Norse's stdp_step_linear), one Euler step, time-first.
//
// Traces, updated first so that they include this step's spikes:
//   t_pre'  = t_pre  + dt tau_pre_inv  (-t_pre  + a_pre  z_pre)
//   t_post' = t_post + dt tau_post_inv (-t_post + a_post z_post)
// Weight change, summed over the batch (w is (out, in), z_pre (B, in), z_post (B, out)):
//   dw = A+(w) * (z_post^T t_pre') - A-(w) * (t_post'^T z_pre)
// so a pre spike followed by a post spike potentiates and the reverse order depresses. A spike
// pair in the same step adds a_pre dt tau_pre_inv A+ and subtracts a_post dt tau_post_inv A-.
// The soft-bound factor A(w) per rule (H(x) = [x > 0]):
//   additive             A+ = eta+                        A- = eta-
//   additive_step        A+ = eta+ H(w_max - w)           A- = eta- H(w - w_min)
//                        (a weight at a bound is not pushed past it)
//   multiplicative_pow   A+ = eta+ (w_max - w)_+^mu       A- = eta- (w - w_min)_+^mu
//   multiplicative_relu  A+ = eta+ relu(w_max - w)        A- = eta- relu(w - w_min)
// (x_+ = max(x, 0): Norse's pow of a negative base would give NaN for a fractional mu.)
// The multiplicative rules shrink potentiation near w_max and depression near w_min.
// With hardbound the result is clamped to [w_min, w_max].
// Defaults as Norse: a_pre = a_post = 1, tau_pre_inv = tau_post_inv = 20 /s (50 ms), w in
// [0, 1], eta+ = eta- = 1e-3, mu = 0, hardbound on, dt 1e-3 s.
//
// Plasticity runs outside the tape: call these under NoGrad on detached spikes. They update
// the traces and the weights in place (w is typically a module's parameter), on the CPU or, for
// cuda tensors, on the GPU (the weight change's products through cuBLAS, the rest one kernel
// each; arithmetic shared with the CPU in core/backend/cuda/stdp_body.hpp).
#include "core/tensor/tensor.hpp"

namespace soma {

enum class STDPRule { additive, additive_step, multiplicative_pow, multiplicative_relu };

struct STDPParameters {
  float a_pre = 1.0f;
  float a_post = 1.0f;
  float tau_pre_inv = 20.0f;
  float tau_post_inv = 20.0f;
  float w_min = 0.0f;
  float w_max = 1.0f;
  float eta_plus = 1e-3f;
  float eta_minus = 1e-3f;
  STDPRule rule = STDPRule::additive;
  float mu = 0.0f;  // exponent of multiplicative_pow
  bool hardbound = true;
  float dt = 1e-3f;
};

struct STDPState {
  Tensor t_pre, t_post;  // shaped as z_pre and z_post
};

STDPState stdp_initial_state(const Shape& pre, const Shape& post);

// Advances both traces by one step (in place).
void stdp_traces_step(const Tensor& z_pre, const Tensor& z_post, STDPState& s,
                      const STDPParameters& p);

// w += A+(w) pot - A-(w) dep, then the hard bound; all three hold n values. The shared last stage
// of the linear and the convolutional rule: on host pointers, or on device d's.
void stdp_apply(float* w, const float* pot, const float* dep, int64_t n, const STDPParameters& p);
void stdp_apply_on(Device d, float* w, const float* pot, const float* dep, int64_t n,
                   const STDPParameters& p);

// One step for a dense layer: traces, then the weight update of w (out, in).
void stdp_step_linear(const Tensor& z_pre, const Tensor& z_post, Tensor& w, STDPState& s,
                      const STDPParameters& p = {});

}  // namespace soma
