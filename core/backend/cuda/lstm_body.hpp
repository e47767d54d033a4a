#pragma once
// One LSTM cell step's element-wise part (core/ops/lstm_cell.hpp) for the GPU kernel (lstm.cu;
// tests/core/test_cuda_bodies.cpp runs it on the host against the CPU op): thread e = b H + j
// owns hidden unit j of batch row b. With the gate pre-activations a (B, 4H) in torch's order
// (i, f, g, o),
//   i = sigma(a_i), f = sigma(a_f), g = tanh(a_g), o = sigma(a_o)
//   c = f c_prev + i g,   h = o tanh(c)
// saving the activated gates (B, 4H) for the backward, which from dL/dh and dL/dc gives
//   dc = dL/dc + dL/dh o (1 - tanh^2 c)
//   da_i = dc g i (1 - i),  da_f = dc c_prev f (1 - f),  da_g = dc i (1 - g^2),
//   da_o = dL/dh tanh(c) o (1 - o),  dL/dc_prev = dc f.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/unary_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline float lstm_sigmoid(float x) {
  return unary_value(UnaryOp::sigmoid, {}, x);
}

SOMA_HD inline void lstm_cell_at(const LstmCellForward& p, int64_t e) {
  const int64_t H = p.hidden, b = e / H, j = e % H;
  const float* a = p.a + b * 4 * H + j;
  float* gates = p.gates + b * 4 * H + j;
  const float i = lstm_sigmoid(a[0]), f = lstm_sigmoid(a[H]), g = tanhf(a[2 * H]),
              o = lstm_sigmoid(a[3 * H]);
  const float c = f * p.c_prev[e] + i * g;
  p.c[e] = c;
  p.h[e] = o * tanhf(c);
  gates[0] = i, gates[H] = f, gates[2 * H] = g, gates[3 * H] = o;
}

SOMA_HD inline void lstm_cell_at(const LstmCellBackward& p, int64_t e) {
  const int64_t H = p.hidden, b = e / H, j = e % H;
  const float* gates = p.gates + b * 4 * H + j;
  float* ga = p.ga + b * 4 * H + j;
  const float i = gates[0], f = gates[H], g = gates[2 * H], o = gates[3 * H];
  const float tc = tanhf(p.c[e]), gh = p.gh[e];
  const float dc = p.gc[e] + gh * o * (1.0f - tc * tc);
  ga[0] = dc * g * i * (1.0f - i);
  ga[H] = dc * p.c_prev[e] * f * (1.0f - f);
  ga[2 * H] = dc * i * (1.0f - g * g);
  ga[3 * H] = gh * tc * o * (1.0f - o);
  p.gc_prev[e] = dc * f;
}

}  // namespace soma::cuda
