#include "core/nn/lsnn_modules.hpp"

#include <stdexcept>

namespace soma::nn {

namespace {
LSNNState initial_state(const Tensor& x, const LSNNParameters& p) {
  if (x.dim() < 2)
    throw std::invalid_argument("LSNN: input " + to_string(x.shape()) + " is not (T, B, ...)");
  return lsnn_initial_state(Shape(x.shape().begin() + 1, x.shape().end()), p);
}

NamedTensors recorded_of(const LSNNSequence& r) {
  return {{"v", r.v}, {"i", r.i}, {"b", r.b}};
}
}  // namespace

Tensor LSNN::forward(const Tensor& x) {
  LSNNSequence r = lsnn_sequence(x, initial_state(x, p), p, record_states);
  state = r.state;
  recorded_ = record_states ? recorded_of(r) : NamedTensors{};
  return r.z;
}

Tensor LSNNRecurrent::forward(const Tensor& x) {
  Tensor x_in = project(x);
  LSNNSequence r =
      lsnn_recurrent_sequence(x_in, recurrent(), initial_state(x_in, p), p, record_states);
  state = r.state;
  recorded_ = record_states ? recorded_of(r) : NamedTensors{};
  return r.z;
}

}  // namespace soma::nn
