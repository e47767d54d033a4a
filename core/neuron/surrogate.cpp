#include "core/neuron/surrogate.hpp"

#include <cmath>
#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#ifdef SOMA_CUDA
#include "core/ops/cuda_broadcast.hpp"
#endif

namespace soma {

namespace {
const std::vector<std::string> kNames = {"super", "heaviside",  "triangle", "tanh",
                                         "circ",  "heavi_erfc", "logistic"};
}

float Surrogate::grad(float x) const {
  switch (method) {
    case SurrogateMethod::super:
      return superspike_grad(x, alpha);
    case SurrogateMethod::heaviside:
      return 0.0f;
    case SurrogateMethod::triangle:
      return alpha * std::fmax(0.0f, 1.0f - std::fabs(x));
    case SurrogateMethod::tanh: {
      float t = std::tanh(alpha * x);
      return 1.0f - t * t;
    }
    case SurrogateMethod::circ:
      return alpha * alpha * alpha / std::pow(x * x + alpha * alpha, 1.5f);
    case SurrogateMethod::heavi_erfc:
      return 1.1283791671f * std::exp(-(alpha * x) * (alpha * x));
    case SurrogateMethod::logistic: {
      float s = 1.0f / (1.0f + std::exp(-alpha * x));
      return alpha * s * (1.0f - s);
    }
  }
  return 0.0f;
}

const std::vector<std::string>& surrogate_names() {
  return kNames;
}

SurrogateMethod parse_surrogate(const std::string& name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return SurrogateMethod(i);
  std::string valid;
  for (auto& n : kNames) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown surrogate method '" + name + "'; valid: " + valid);
}

const char* surrogate_name(SurrogateMethod m) {
  return kNames[size_t(m)].c_str();
}

Tensor spike_fn(const Tensor& x, Surrogate s) {
#ifdef SOMA_CUDA
  // The step functions on cuda (and the recurrent CobaLIF's loop): one kernel each way per step.
  if (require_device("spike_fn", x) == Device::cuda)
    return cuda_ops::unary("spike", cuda::UnaryOp::spike, {s.alpha, 0, int(s.method)}, x);
#endif
  require_cpu("spike_fn", x);
  Tensor z = Tensor::uninitialized(x.shape());  // the loops below write every element
  const float* px = x.data();
  float* pz = z.data();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) pz[i] = px[i] > 0 ? 1.0f : 0.0f;
  Tensor dx = x.detach();
  return record("spike", z, {x}, [dx, s](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(dx.shape());
    for (int64_t i = 0, n = dx.numel(); i < n; ++i)
      gx.data()[i] = g.data()[i] * s.grad(dx.data()[i]);
    return Tensors{gx};
  });
}

}  // namespace soma
