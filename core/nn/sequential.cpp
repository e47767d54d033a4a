#include "core/nn/sequential.hpp"

#include <stdexcept>
#include <string>

namespace soma::nn {

Sequential& Sequential::push_back(ModulePtr layer) {
  register_module(std::to_string(size()), std::move(layer));
  return *this;
}

const ModulePtr& Sequential::operator[](size_t i) const {
  if (i >= size())
    throw std::out_of_range("Sequential: index " + std::to_string(i) + " of " +
                            std::to_string(size()));
  return named_children()[i].second;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& [name, layer] : named_children()) y = (*layer)(y);
  return y;
}

}  // namespace soma::nn
