#pragma once
// Element-wise nonlinearities as modules, for use inside Sequential.
#include "core/nn/module.hpp"

namespace soma::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
};

}  // namespace soma::nn
