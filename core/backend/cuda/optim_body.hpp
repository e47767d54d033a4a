#pragma once
// One parameter element's optimizer update: the bodies of optim.cu's kernels, with the same
// float operations in the same order as core/optim (adam.cpp, sgd.cpp), so a device step equals
// the host step to rounding.
//   Adam (d = g, or g + wd p; decoupled AdamW scales p by 1 - lr wd first):
//     m = b1 m + (1 - b1) d,  v = b2 v + (1 - b2) d^2
//     p -= step_size m / (sqrt(v) / sqrt(c2) + eps),  step_size = lr / c1,  c = 1 - b^t
//     (c1, c2 computed in double on the host: AdamStep carries them as floats)
//   SGD (d = g + wd p):  buf = first ? d : mu buf + (1 - dampening) d
//     d = nesterov ? d + mu buf : buf  (momentum only),  p -= lr d
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline void adam_element(const AdamStep& s, float* p, const float* g, float* m, float* v,
                                 int64_t k) {
  float d = g[k], w = p[k];
  if (s.weight_decay != 0) {
    if (s.decoupled)
      w *= s.decay;
    else
      d += s.weight_decay * w;
  }
  const float mk = s.beta1 * m[k] + (1 - s.beta1) * d;
  const float vk = s.beta2 * v[k] + (1 - s.beta2) * (d * d);
  m[k] = mk;
  v[k] = vk;
  p[k] = w - s.step_size * mk / (sqrtf(vk) / s.sqrt_correction2 + s.eps);
}

SOMA_HD inline void sgd_element(const SgdStep& s, float* p, const float* g, float* buf, int64_t k) {
  float d = g[k];
  if (s.weight_decay != 0) d += s.weight_decay * p[k];
  if (s.momentum != 0) {
    const float b = s.first ? d : s.momentum * buf[k] + (1 - s.dampening) * d;
    buf[k] = b;
    d = s.nesterov ? d + s.momentum * b : b;
  }
  p[k] -= s.lr * d;
}

}  // namespace soma::cuda
