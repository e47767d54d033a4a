#include "core/nn/lift.hpp"

#include <stdexcept>

#include "core/ops/shape_ops.hpp"

namespace soma::nn {

Lift::Lift(std::shared_ptr<Module> m, bool fold) : module(std::move(m)), fold(fold) {
  if (!module) throw std::invalid_argument("Lift: no module given");
  register_module("module", module);
}

Tensor Lift::forward(const Tensor& x) {
  if (x.dim() < 2)
    throw std::invalid_argument("Lift: input " + to_string(x.shape()) + " is not (T, B, ...)");
  const int64_t T = x.size(0);
  if (!fold) {
    Tensors ys;
    for (int64_t t = 0; t < T; ++t) ys.push_back((*module)(select(x, t)));
    return stack(ys);
  }
  Shape folded(x.shape().begin() + 1, x.shape().end());
  folded[0] *= T;
  Tensor y = (*module)(reshape(x, folded));
  Shape out = y.shape();
  if (out.empty() || out[0] != folded[0])
    throw std::invalid_argument("Lift: the module's output " + to_string(y.shape()) +
                                " does not keep the batch of " + std::to_string(folded[0]));
  out[0] = x.size(1);
  out.insert(out.begin(), T);
  return reshape(y, out);
}

}  // namespace soma::nn
