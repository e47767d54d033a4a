#include "core/nn/iaf_modules.hpp"

#include <stdexcept>

namespace soma::nn {

Tensor IAF::forward(const Tensor& x) {
  if (x.dim() < 2)
    throw std::invalid_argument("IAF: input " + to_string(x.shape()) + " is not (T, B, ...)");
  Tensor v0 = iaf_initial_state(Shape(x.shape().begin() + 1, x.shape().end()), p);
  IAFSequence r = iaf_sequence(x, v0, p, record_states);
  state = r.v;
  recorded_ = record_states ? NamedTensors{{"v", r.trace}} : NamedTensors{};
  return r.z;
}

}  // namespace soma::nn
