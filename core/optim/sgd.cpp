#include "core/optim/sgd.hpp"

#include <stdexcept>

#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"

namespace soma::optim {

SGD::SGD(Tensors params, SGDOptions opt) : Optimizer(std::move(params), opt.lr), opt_(opt) {
  if (opt.momentum < 0 || opt.weight_decay < 0)
    throw std::invalid_argument("SGD: momentum and weight_decay must be non-negative");
  if (opt.nesterov && (opt.momentum <= 0 || opt.dampening != 0))
    throw std::invalid_argument("SGD: nesterov needs momentum > 0 and dampening 0");
}

void SGD::step() {
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor p = params_[i], g = p.grad();
    if (!g.defined()) continue;
    if (require_device("SGD", p, g) == Device::cuda) {
      step_cuda(i);
      continue;
    }
    Eigen::ArrayXf d = g.array();
    if (opt_.weight_decay != 0) d += opt_.weight_decay * p.array();
    if (opt_.momentum != 0) {
      bool first = !has_state(i, "momentum_buffer");
      ArrayMap buf = state(i, "momentum_buffer").array();
      if (first)
        buf = d;
      else
        buf = opt_.momentum * buf + (1 - opt_.dampening) * d;
      if (opt_.nesterov)
        d += opt_.momentum * buf;
      else
        d = buf;
    }
    p.array() -= lr_ * d;
  }
}

void SGD::step_cuda(size_t i) {
  Tensor p = params_[i], g = p.grad();
  const bool momentum = opt_.momentum != 0, first = momentum && !has_state(i, "momentum_buffer");
  float* buf = momentum ? state(i, "momentum_buffer").raw_data() : nullptr;
  const cuda::SgdStep s{lr_,           opt_.momentum, opt_.dampening, opt_.weight_decay,
                        opt_.nesterov, first};
  cuda::sgd_step(s, p.numel(), p.raw_data(), g.raw_data(), buf);
}

}  // namespace soma::optim
