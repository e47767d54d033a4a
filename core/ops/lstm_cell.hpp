#pragma once
// The element-wise part of one LSTM step as ONE autograd node (nn::LSTM, core/nn/lstm.hpp):
// from the gate pre-activations a (B, 4H), torch's gate order (i, f, g, o), and the previous
// cell state c_prev (B, H) it gives h and c (B, H) each. Equations in
// core/backend/cuda/lstm_body.hpp (the GPU kernel's body; the CPU computes the same equations
// over whole blocks in Eigen, lstm_cell.cpp).
// Composed of ops the same step was 4 slices, 4 activations, 3 products, a sum and a tanh: ~13
// nodes and launches each way per step; fused, one kernel each way and 4 B H floats saved.
#include "core/tensor/tensor.hpp"

namespace soma {

struct LSTMCellOutput {
  Tensor h, c;
};

LSTMCellOutput lstm_cell(const Tensor& a, const Tensor& c_prev);

}  // namespace soma
