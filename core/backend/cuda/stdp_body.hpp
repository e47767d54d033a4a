#pragma once
// One weight's STDP update and one trace's step (core/plasticity/stdp.hpp's equations), shared
// by the CPU (stdp.cpp's loop) and the GPU (stdp.cu, one thread per element), so both apply the
// same arithmetic in the same order.
//   trace'  = t + dt tau_inv (a z - t)
//   w'      = w + A+(w) pot - A-(w) dep, clamped to [w_min, w_max] with hardbound
// The rules are numbered as STDPRule (stdp.cpp asserts it).
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline float stdp_trace_next(float t, float z, float rate, float a) {
  return t + rate * (a * z - t);  // rate = dt tau_inv
}

SOMA_HD inline float stdp_weight_next(const StdpBounds& b, float w, float pot, float dep) {
  const float up = b.w_max - w, down = w - b.w_min;
  float plus = 1.0f, minus = 1.0f;  // additive (0)
  if (b.rule == 1) {                // additive_step: no push past a bound
    plus = up > 0.0f ? 1.0f : 0.0f, minus = down > 0.0f ? 1.0f : 0.0f;
  } else if (b.rule == 2) {  // multiplicative_pow (x_+ = max(x, 0): a fractional mu of a
                             // negative base would be NaN)
    plus = powf(fmaxf(up, 0.0f), b.mu), minus = powf(fmaxf(down, 0.0f), b.mu);
  } else if (b.rule == 3) {  // multiplicative_relu
    plus = fmaxf(up, 0.0f), minus = fmaxf(down, 0.0f);
  }
  plus *= b.eta_plus;
  minus *= b.eta_minus;
  const float next = w + plus * pot - minus * dep;
  if (!b.hardbound) return next;
  return next < b.w_min ? b.w_min : (b.w_max < next ? b.w_max : next);  // std::clamp's order
}

}  // namespace soma::cuda
