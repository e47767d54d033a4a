#include "core/nn/lstm.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/nn/init.hpp"
#include "core/ops/lstm_cell.hpp"
#include "core/ops/ops.hpp"

namespace soma::nn {

LSTM::LSTM(int64_t input_size, int64_t hidden_size, Rng& rng) {
  if (input_size <= 0 || hidden_size <= 0)
    throw std::invalid_argument("LSTM: sizes must be positive, got " + std::to_string(input_size) +
                                " -> " + std::to_string(hidden_size));
  const int64_t G = 4 * hidden_size;
  weight_ih = register_parameter("weight_ih", Tensor::zeros({G, input_size}));
  weight_hh = register_parameter("weight_hh", Tensor::zeros({G, hidden_size}));
  bias_ih = register_parameter("bias_ih", Tensor::zeros({G}));
  bias_hh = register_parameter("bias_hh", Tensor::zeros({G}));
  const float bound = 1.0f / std::sqrt(float(hidden_size));
  for (Tensor* t : {&weight_ih, &weight_hh, &bias_ih, &bias_hh})
    init::uniform_(*t, -bound, bound, rng);
}

Tensor LSTM::forward(const Tensor& x) {
  if (x.dim() != 3 || x.size(2) != input_size())
    throw std::invalid_argument("LSTM: input must be (T, B, " + std::to_string(input_size()) +
                                "), got " + to_string(x.shape()));
  const int64_t T = x.size(0), B = x.size(1), H = hidden_size();
  // All T input projections in one GEMM, both biases folded in.
  Tensor a_in = linear(x, weight_ih, bias_ih + bias_hh);  // (T, B, 4H)
  Tensor h = Tensor::zeros({B, H}, x.device()), c = Tensor::zeros({B, H}, x.device());
  Tensors hs;
  hs.reserve(size_t(T));
  for (int64_t t = 0; t < T; ++t) {
    LSTMCellOutput cell = lstm_cell(select(a_in, t) + linear(h, weight_hh), c);
    h = cell.h;
    c = cell.c;
    hs.push_back(h);
  }
  h_n = h;
  c_n = c;
  return stack(hs, 0);
}

}  // namespace soma::nn
