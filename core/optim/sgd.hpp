#pragma once
// Stochastic gradient descent with momentum, as torch.optim.SGD. For each parameter p with
// gradient g, at step t (t = 1 is the first step that sees a gradient):
//   g <- g + weight_decay * p                                  (if weight_decay != 0)
//   b <- g                                    at t = 1         (if momentum != 0)
//   b <- momentum * b + (1 - dampening) * g   after
//   g <- g + momentum * b   (nesterov)   or   g <- b   (otherwise)
//   p <- p - lr * g
// Nesterov needs momentum > 0 and dampening 0.
#include "core/optim/optimizer.hpp"

namespace soma::optim {

struct SGDOptions {
  float lr = 1e-3f;
  float momentum = 0;
  float dampening = 0;
  float weight_decay = 0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  explicit SGD(Tensors params, SGDOptions opt = {});
  void step() override;
  const SGDOptions& options() const { return opt_; }

 protected:
  std::vector<std::string> state_names() const override { return {"momentum_buffer"}; }

 private:
  void step_cuda(size_t i);  // the same step as one kernel on a device parameter
  SGDOptions opt_;
};

}  // namespace soma::optim
