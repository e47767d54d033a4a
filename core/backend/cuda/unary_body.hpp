#pragma once
// The unary element-wise ops' arithmetic (unary.cu), as core/ops/elementwise.cpp computes them
// on the CPU: y = f(x), and f' from the input x or, where cheaper, the output y:
//   exp      e^x                       f' = y
//   log      ln x                      1 / x
//   abs      |x|                       sign x (0 at 0)
//   sqrt     sqrt x                    0.5 / y
//   square   x^2                       2 x
//   relu     max(x, 0)                 [x > 0]
//   sigmoid  1 / (1 + e^-x)            y (1 - y)
//   tanh     tanh x                    1 - y^2
//   pow      x^a                       a x^(a - 1)
//   clamp    min(max(x, a), b)         [a <= x <= b]
//   softplus ln(1 + e^(a x)) / a, x where a x > b (the threshold)
//                                      1 where a x > b, else 1 / (1 + e^(-a x))
//   spike    [x > 0] (spike_fn)         the surrogate's derivative (surrogate_body.hpp)
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/surrogate_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline float unary_value(UnaryOp op, UnaryArgs p, float x) {
  switch (op) {
    case UnaryOp::exp:
      return expf(x);
    case UnaryOp::log:
      return logf(x);
    case UnaryOp::abs:
      return fabsf(x);
    case UnaryOp::sqrt:
      return sqrtf(x);
    case UnaryOp::square:
      return x * x;
    case UnaryOp::relu:
      return x > 0 ? x : 0.0f;
    case UnaryOp::sigmoid:
      return 1.0f / (1.0f + expf(-x));
    case UnaryOp::tanh:
      return tanhf(x);
    case UnaryOp::pow:
      return powf(x, p.a);
    case UnaryOp::clamp:
      return fminf(fmaxf(x, p.a), p.b);
    case UnaryOp::softplus:
      return p.a * x > p.b ? x : log1pf(expf(p.a * x)) / p.a;
    case UnaryOp::spike:
      return x > 0 ? 1.0f : 0.0f;
  }
  return 0.0f;
}

// Whether f' reads the output y.
SOMA_HD inline bool unary_uses_output(UnaryOp op) {
  return op == UnaryOp::exp || op == UnaryOp::sqrt || op == UnaryOp::sigmoid || op == UnaryOp::tanh;
}

SOMA_HD inline float unary_derivative(UnaryOp op, UnaryArgs p, float x, float y) {
  switch (op) {
    case UnaryOp::exp:
      return y;
    case UnaryOp::log:
      return 1.0f / x;
    case UnaryOp::abs:
      return float((x > 0) - (x < 0));
    case UnaryOp::sqrt:
      return 0.5f / y;
    case UnaryOp::square:
      return 2.0f * x;
    case UnaryOp::relu:
      return x > 0 ? 1.0f : 0.0f;
    case UnaryOp::sigmoid:
      return y * (1.0f - y);
    case UnaryOp::tanh:
      return 1.0f - y * y;
    case UnaryOp::pow:
      return p.a * powf(x, p.a - 1);
    case UnaryOp::clamp:
      return x >= p.a && x <= p.b ? 1.0f : 0.0f;
    case UnaryOp::softplus:
      return p.a * x > p.b ? 1.0f : 1.0f / (1.0f + expf(-p.a * x));
    case UnaryOp::spike:
      return surrogate_grad(p.method, p.a, x);
  }
  return 0.0f;
}

}  // namespace soma::cuda
