#pragma once
// A chain of modules applied in order, as torch.nn.Sequential. Children are named "0", "1", ...
// so parameters read "0.weight", "2.bias" as in torch's state dicts.
#include <memory>

#include "core/nn/module.hpp"

namespace soma::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  // make_shared<Sequential>(make_shared<Linear>(...), make_shared<Tanh>(), ...)
  template <class... Ms>
  explicit Sequential(std::shared_ptr<Ms>... layers) {
    (push_back(std::move(layers)), ...);
  }

  Sequential& push_back(ModulePtr layer);
  size_t size() const { return named_children().size(); }
  const ModulePtr& operator[](size_t i) const;
  Tensor forward(const Tensor& x) override;
};

}  // namespace soma::nn
