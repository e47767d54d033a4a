#pragma once
// A one-layer LSTM over a time-first sequence, as torch.nn.LSTM(input_size, hidden_size) (the
// non-spiking baseline of Norse's speech_commands task). Per step, with the gates in torch's
// order (i, f, g, o) stacked in the rows of the weights:
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh            (B, 4H)
//   i = sigma(a[0:H]), f = sigma(a[H:2H]), g = tanh(a[2H:3H]), o = sigma(a[3H:4H])
//   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t),   h_0 = c_0 = 0.
// Every weight and bias starts U(-1/sqrt(H), 1/sqrt(H)), as torch's. The input projection of all
// T steps is one GEMM; per step the recurrent GEMM and the fused cell (core/ops/lstm_cell.hpp:
// one node, one kernel each way on the GPU) make a graph of O(T) nodes.
#include "core/nn/module.hpp"

namespace soma {
class Rng;
}

namespace soma::nn {

class LSTM : public Module {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, Rng& rng);
  // x (T, B, I) -> h_t for every step, (T, B, H). The last step's h and c stay in h_n, c_n.
  Tensor forward(const Tensor& x) override;

  int64_t input_size() const { return weight_ih.size(1); }
  int64_t hidden_size() const { return weight_hh.size(1); }

  Tensor weight_ih, weight_hh;  // (4H, I), (4H, H)
  Tensor bias_ih, bias_hh;      // (4H)
  Tensor h_n, c_n;              // (B, H) after the last forward
};

}  // namespace soma::nn
