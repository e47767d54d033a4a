#pragma once
// Exponential smoothing over time (Norse's ExpFilter): a readout that turns spikes into a smooth
// trace. Over the first dimension of x (T, ...):
//   y_0 = x_0,   y_t = alpha y_{t-1} + x_t,   alpha = exp(-dt tau_filter_inv)
// The layer applies a Linear first: y_t = alpha y_{t-1} + W x_t + b. Norse's defaults:
// tau_filter_inv 1000 /s and dt 1e-3 s, so alpha = 1/e; bias on.
#include "core/nn/linear.hpp"

namespace soma {

// All T steps as one node on the CPU (backward: the reverse scan g_x,t = g_t + alpha g_x,t+1);
// on other devices the loop of steps from device ops.
Tensor exp_filter(const Tensor& x, float alpha);

namespace nn {

class ExpFilter : public Module {
 public:
  ExpFilter(int64_t input_size, int64_t output_size, Rng& rng, float tau_filter_inv = 1000.0f,
            float dt = 1e-3f, bool bias = true);
  // x (T, B, input_size) -> (T, B, output_size)
  Tensor forward(const Tensor& x) override;

  float alpha;
  std::shared_ptr<Linear> linear;
};

}  // namespace nn

}  // namespace soma
