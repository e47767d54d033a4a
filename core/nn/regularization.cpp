#include "core/nn/regularization.hpp"

#include <stdexcept>

#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"

namespace soma {

namespace {
Tensor add_to(const Tensor& state, const Tensor& x) {
  return state.defined() ? state + x : x;
}
}  // namespace

Tensor spike_accumulator(const Tensor& z, const Tensor&, const Tensor& state) {
  return add_to(state, sum(z));
}

Tensor voltage_accumulator(const Tensor&, const Tensor& v, const Tensor& state) {
  if (!v.defined()) throw std::invalid_argument("voltage_accumulator: no voltage given");
  return add_to(state, v);
}

Tensor regularize_step(const Tensor& z, const Tensor& v, const Tensor& state,
                       const Accumulator& accumulator) {
  return accumulator(z, v, state);
}

Tensor firing_rate(const Tensor& z, float dt) {
  if (z.dim() < 1 || z.size(0) == 0 || !(dt > 0))
    throw std::invalid_argument("firing_rate: spikes " + to_string(z.shape()) +
                                " must be (T, ...) with T >= 1, and dt > 0");
  return sum(z, 0) / (float(z.size(0)) * dt);
}

Tensor rate_penalty(const Tensor& z, float target_hz, float dt) {
  if (!(target_hz > 0)) throw std::invalid_argument("rate_penalty: target rate must be > 0 Hz");
  return mean(square((firing_rate(z, dt) - target_hz) / target_hz));
}

const Tensor& nn::RegularizationCell::operator()(const Tensor& z, const Tensor& v) {
  state = regularize_step(z, v, state, accumulator_);
  return state;
}

}  // namespace soma
