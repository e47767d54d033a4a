#pragma once
// The surrogate derivatives of core/neuron/surrogate.hpp as one host/device function, numbered
// as SurrogateMethod (super 0 ... logistic 6; current_scan.cpp asserts the numbering, and
// tests/core/test_cuda_bodies.cpp compares every method with Surrogate::grad). x = v - v_th.
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

SOMA_HD inline float surrogate_grad(int method, float alpha, float x) {
  switch (method) {
    case 0: {  // super: 1 / (alpha |x| + 1)^2
      const float d = alpha * fabsf(x) + 1.0f;
      return 1.0f / (d * d);
    }
    case 1:  // heaviside: no gradient
      return 0.0f;
    case 2:  // triangle: alpha max(0, 1 - |x|)
      return alpha * fmaxf(0.0f, 1.0f - fabsf(x));
    case 3: {  // tanh: 1 - tanh^2(alpha x)
      const float t = tanhf(alpha * x);
      return 1.0f - t * t;
    }
    case 4:  // circ: alpha^3 / (x^2 + alpha^2)^(3/2)
      return alpha * alpha * alpha / powf(x * x + alpha * alpha, 1.5f);
    case 5:  // heavi_erfc: (2 / sqrt(pi)) exp(-(alpha x)^2)
      return 1.1283791671f * expf(-(alpha * x) * (alpha * x));
    case 6: {  // logistic: alpha s (1 - s), s = sigmoid(alpha x)
      const float s = 1.0f / (1.0f + expf(-alpha * x));
      return alpha * s * (1.0f - s);
    }
  }
  return 0.0f;
}

}  // namespace soma::cuda
