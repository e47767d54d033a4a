#pragma once
// A parameter-free module around any function of one tensor, so that an op without a module of
// its own can sit in a Sequential: Lambda([](const Tensor& x) { return soma::softplus(x); }).
#include <functional>
#include <utility>

#include "core/nn/module.hpp"

namespace soma::nn {

class Lambda : public Module {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  explicit Lambda(Fn fn) : fn_(std::move(fn)) {}
  Tensor forward(const Tensor& x) override { return fn_(x); }

 private:
  Fn fn_;
};

}  // namespace soma::nn
