#pragma once
// Layers whose weights learn from delayed credit through an eligibility trace, in the factorised
// form (cet.md, section 3). Time is the sample index within an episode of N samples, the
// weights stay frozen over the episode, and the forward pass is an ordinary one:
// h = act(z), z = W x + b. In backward, with g_t = dL/dh_t and theta_t = act'(z_t) (1 where
// z >= 0 for relu), the error passed down stays undelayed, (g * theta) W, as in backprop, while
//   weight:  dW = sum_t ctilde_t (x) E_t,  E_t = sum_{s<=t} h[t-s] theta_s (x) x_s  (the trace)
//            ctilde = the credit kernel applied to e = g * theta (or to raw g, see below)
// is computed without the N x out x in trace tensor by moving both kernels onto the error:
//   dW = sum_s u_s (x) x_s,   u_s = theta_s * (A e)_s,   A[s][t'] = sum_t h[t-s] c[t-t']
// one (N x N) @ (N x out) product plus the usual outer-product GEMM, so memory and time stay at
// backprop's level. The bias gets sum_t w_t e_t with per-sample weights w (the credit kernel's
// column sums: 1 for samples whose credit arrives within the episode).
// With h = impulse at D and c = impulse at D this is the exact gradient of the first N - D
// samples (tests/core/test_credit.cpp).
#include <memory>
#include <vector>

#include "core/ops/conv.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::credit {

enum class Activation { identity, relu };

// How one layer turns an episode's errors into weight and bias gradients. A layer holds its own
// (the retrograde protocol rewrites A every step; the probe result is per layer).
struct CreditRule {
  int64_t samples = 0;               // N, the episode length the layer must be called with
  std::vector<float> weight_credit;  // A, (N x N) row-major
  std::vector<float> bias_credit;    // w, (N)
  // The weight error is e = raw g (true) or g * theta (false); likewise the bias error.
  // The reference's conv layers and retrograde rule use raw g.
  bool weight_raw_error = false, bias_raw_error = false;
  // Probe (--track_sim): when on, backward also forms the reference gradient
  // sum_t exact_weights_t (g*theta)_t (x) x_t and stores cos(dW, reference) in `similarity`
  // (1 when either norm is 0, as the reference does).
  bool probe = false;
  std::vector<float> exact_weights;  // (N)
  double similarity = 0;
};

// Plain backprop over the episode: A = I, w = 1, exact weights 1.
CreditRule backprop_rule(int64_t samples);
// The behavioural rule: trace kernel h and credit kernel c (both of length N, lag 0 first).
// exact_weights = w, so the probe compares with the gradient of the samples whose credit lands.
CreditRule behavioural_rule(const std::vector<double>& trace, const std::vector<double>& credit,
                            bool raw_error);

// h = act(x W^T + b): x (N, in), W (out, in), b (out) or undefined.
Tensor credit_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act,
                     std::shared_ptr<CreditRule> rule);
// h = act(conv2d(x, W, b)): x (N, C, H, W).
Tensor credit_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions opt,
                     Activation act, std::shared_ptr<CreditRule> rule);

}  // namespace soma::credit
