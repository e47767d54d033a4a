#pragma once
// The loop of a neuron model's single-step function over the T slices of a time-first input
// (Norse's generic SNN loop), so the autograd graph is the composed steps: the sequence form of
// a model with no fused scan (the recurrent CobaLIF), and the reference that the fused scans
// (cell_sequence.hpp) are tested and benchmarked against. It stacks the spikes and, with
// record_states, every state variable.
//
// A state type takes part by listing its variables: `static constexpr std::array names` and
// `fields()`, pointers to the tensors in the same order. model_sequence runs a neuron Model
// (core/nn/neuron_layer.hpp): its fused sequence op when it has one, else this loop over its step.
#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/ops/shape_ops.hpp"

namespace soma {

template <class State>
struct Sequence {
  Tensor z;      // (T, ...) spikes, or the voltage of a non-spiking model (LI)
  State state;   // after the last step
  State states;  // each variable (T, ...), only with record_states; undefined: not recorded
};

// step(x_t, s) returns an aggregate {z, state}.
template <class State, class Step>
Sequence<State> rollout(const Tensor& x, State s, Step&& step, bool record_states) {
  if (x.dim() < 1 || x.size(0) == 0)
    throw std::invalid_argument("neuron sequence: input must be (T, ...) with T >= 1");
  constexpr size_t n = State::names.size();
  Tensors zs;
  std::array<Tensors, n> trace;
  for (int64_t t = 0; t < x.size(0); ++t) {
    auto [z, next] = step(select(x, t), s);
    s = next;
    zs.push_back(z);
    if (!record_states) continue;
    auto f = s.fields();
    for (size_t k = 0; k < n; ++k) trace[k].push_back(*f[k]);
  }
  Sequence<State> r{stack(zs), s, {}};
  if (record_states) {
    auto f = r.states.fields();
    for (size_t k = 0; k < n; ++k) *f[k] = stack(trace[k]);
  }
  return r;
}

// All T steps of Model over x from s0: its fused `sequence` if it has one, else the loop above
// over its `step`.
template <class Model>
Sequence<typename Model::State> model_sequence(const Tensor& x, const typename Model::State& s0,
                                               const typename Model::Parameters& p,
                                               bool record_states) {
  using State = typename Model::State;
  if constexpr (requires { Model::sequence(x, s0, p, record_states); }) {
    return Model::sequence(x, s0, p, record_states);
  } else {
    auto step = [&p](const Tensor& xt, const State& s) { return Model::step(xt, s, p); };
    return rollout(x, s0, step, record_states);
  }
}

// A model's sequence as a named function object, for its functional API:
//   inline constexpr ModelSequence<LIFExModel> lif_ex_sequence{};
//   Sequence<LIFExState> r = lif_ex_sequence(x, s0, p, record_states = false);
template <class Model>
struct ModelSequence {
  Sequence<typename Model::State> operator()(const Tensor& x, const typename Model::State& s0,
                                             const typename Model::Parameters& p,
                                             bool record_states = false) const {
    return model_sequence<Model>(x, s0, p, record_states);
  }
};

// s with every defined variable on `device`. The models' initial_state functions build host
// tensors (they take no device); a layer given cuda input moves them over (B x H floats each).
template <class State>
State state_on(State s, Device device) {
  for (Tensor* t : s.fields())
    if (t->defined() && t->device() != device) *t = t->to(device);
  return s;
}

// (name, tensor) for each defined variable of a state: SpikingModule::recorded() from
// Sequence::states (LI-box leaves its current undefined, so it records "v" only).
template <class State>
std::vector<std::pair<std::string, Tensor>> named_states(State s) {
  std::vector<std::pair<std::string, Tensor>> out;
  auto f = s.fields();
  for (size_t k = 0; k < State::names.size(); ++k)
    if (f[k]->defined()) out.emplace_back(State::names[k], *f[k]);
  return out;
}

// What a layer keeps of a forward's sequence r: the final state, and with record_states the
// states it recorded (SpikingModule::recorded()). Returns the spikes.
template <class State>
Tensor keep_sequence(Sequence<State> r, bool record_states, State& state,
                     std::vector<std::pair<std::string, Tensor>>& recorded) {
  state = r.state;
  recorded = record_states ? named_states(r.states) : std::vector<std::pair<std::string, Tensor>>{};
  return r.z;
}

}  // namespace soma
