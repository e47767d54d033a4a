#pragma once
// Activity regularisation (Norse's regularize_step, spike_accumulator, voltage_accumulator and
// RegularizationCell): collect a quantity of a layer's output step by step, then add it to the
// loss yourself (loss = task + 1e-3 * cell.state, say). Norse's accumulators take the whole
// neuron state; here they take the voltage, since every model's state names it differently
// (LIFRefracState::lif.v). An undefined state is the start (Norse's None).
//   spike_accumulator:   state + sum(z)        (a scalar: the spike count)
//   voltage_accumulator: state + v             (the shape of v)
// For whole sequences (T, B, ...), the rate penalty of Norse's memory task:
//   firing_rate(z, dt)  = sum_t z / (T dt)                        (Hz, per neuron and sample)
//   rate_penalty(z, target, dt) = mean(((rate - target) / target)^2)
// relative to the target, so that its size does not depend on the unit (why: the memory task's
// header, tasks/memory/memory_task.hpp, with its measurement).
#include <functional>

#include "core/tensor/tensor.hpp"

namespace soma {

using Accumulator = std::function<Tensor(const Tensor& z, const Tensor& v, const Tensor& state)>;

Tensor spike_accumulator(const Tensor& z, const Tensor& v, const Tensor& state);
Tensor voltage_accumulator(const Tensor& z, const Tensor& v, const Tensor& state);

// The accumulated state after this step (Norse returns (z, state); z passes unchanged).
Tensor regularize_step(const Tensor& z, const Tensor& v, const Tensor& state,
                       const Accumulator& accumulator = spike_accumulator);

Tensor firing_rate(const Tensor& z, float dt);
Tensor rate_penalty(const Tensor& z, float target_hz, float dt);

namespace nn {

// Keeps the accumulated state across calls; reset() before the next sequence or batch.
class RegularizationCell {
 public:
  explicit RegularizationCell(Accumulator accumulator = spike_accumulator)
      : accumulator_(std::move(accumulator)) {}
  // Accumulates one step; returns the state so far.
  const Tensor& operator()(const Tensor& z, const Tensor& v = Tensor());
  void reset() { state = Tensor(); }
  Tensor state;

 private:
  Accumulator accumulator_;
};

}  // namespace nn

}  // namespace soma
