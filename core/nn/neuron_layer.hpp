#pragma once
// The neuron layers of every model, from one template over the model's state and step: Norse's
// generic SNN / SNNRecurrent modules, where a layer is "run this step function over time from
// the model's initial state". A model's layer is then a one-line alias, declared in the model's
// own header (core/neuron/lif_ex.hpp: `namespace nn { using LIFEx = NeuronLayer<LIFExModel>; }`).
//
// A layer maps a time-first input (T, B, ...) to an output of the same shape (spikes, or the
// voltage of a non-spiking model such as LI). Each forward starts from the model's initial state
// (Norse's state=None) and keeps the final state in `state`; code that carries state across calls
// uses the functional API of core/neuron/ with an explicit state. With record_states, recorded()
// holds every state variable after each step by name ("v", "i", ...), each (T, B, ...).
//
// A Model is a struct naming
//   using Parameters = ...;   // with Norse's defaults
//   using State = ...;        // lists its recorded variables (see rollout.hpp):
//                             //   static constexpr std::array<const char*, 2> names{"v", "i"};
//                             //   std::array<Tensor*, 2> fields() { return {&v, &i}; }
//   static State initial_state(const Shape& step, const Parameters&);
// and one of
//   static Step step(const Tensor& x_t, const State&, const Parameters&);  // returns {z, state}
//       Norse's generic loop (model_sequence in rollout.hpp) runs it over the T steps; the graph
//       is the composed ops, so the gradients need no code of their own;
//   static Sequence<State> sequence(const Tensor& x, const State& s0, const Parameters&,
//                                   bool record_states);
//       a fused sequence op (current_scan.hpp, cell_scan.hpp): all T steps as ONE autograd node,
//       the fast path for large layers.
// A recurrent model (RecurrentNeuronLayer, input x (T, B, I) -> (T, B, H)) has instead
//   static Sequence<State> sequence(const Tensor& x, const State& s0, const Tensor& w_in,
//                                   const Tensor& w_rec, const Parameters&, bool record_states);
// and may give `static RecurrentInit init(int64_t in, int64_t hidden)` for its initial weights
// (default: Norse's randn * sqrt(2 / H); see recurrent_spiking_module.hpp).
// Layers with more than parameters and a state (LIFMC's coupling weights, Izhikevich's chosen
// initial state) subclass NeuronLayer and override initial_state() or run().
//
// Adding a neuron model takes two files and a test (core/neuron/ada_lif.{hpp,cpp} and
// tests/core/test_ada_lif.cpp are one). The sources are globbed, so nothing else changes:
//
//   // core/neuron/foo.hpp: equations and defaults in the header comment, as the others
//   #include "core/neuron/lif.hpp"            // LIFParameters, reset_voltage, Sequence
//   #include "core/nn/neuron_layer.hpp"
//   namespace soma {
//   struct FooParameters : LIFParameters {  // the LIF defaults, plus its own
//     float tau_w_inv = 10.0f;
//   };
//   struct FooState {
//     Tensor v, i, w;
//     static constexpr std::array<const char*, 3> names{"v", "i", "w"};
//     std::array<Tensor*, 3> fields() { return {&v, &i, &w}; }
//   };
//   struct FooStep { Tensor z; FooState state; };
//   FooState foo_initial_state(const Shape& shape, const FooParameters& p);
//   FooStep foo_step(const Tensor& x, const FooState& s, const FooParameters& p);
//   struct FooModel {
//     using Parameters = FooParameters;
//     using State = FooState;
//     static constexpr auto initial_state = &foo_initial_state;
//     static constexpr auto step = &foo_step;
//   };
//   // foo_sequence(x, s0, p, record_states = false): the functional form, Norse's generic
//   // loop over the step, x (T, ...) -> Sequence<FooState> (rollout.hpp).
//   inline constexpr ModelSequence<FooModel> foo_sequence{};
//   namespace nn { using Foo = NeuronLayer<FooModel>; }
//   }  // namespace soma
//
//   // core/neuron/foo.cpp: the step from differentiable ops (core/ops/elementwise.hpp)
//   FooStep foo_step(const Tensor& x, const FooState& s, const FooParameters& p) {
//     ... v_dec, i_new, w_new from s and x ...
//     Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
//     return {z, {reset_voltage(v_dec, z, p), i_new, w_new}};
//   }
//
//   // tests/core/test_foo.cpp: golden values from the equations, a gradcheck
//   // (tests/gradcheck.hpp) of foo_sequence, and nn::Foo's recorded states.
//
// A fused sequence later adds `sequence` to the Model (keep the step: it is the reference the
// fused op is tested against), and the layer takes the fast path unchanged. For a per-neuron
// model that is a Cell (its step and exact adjoint on floats, core/backend/cuda/*_body.hpp, one
// entry in cell_list.hpp), its constants from the parameters (core/neuron/model_cells.hpp) and
// one line, detail::cell_sequence (core/neuron/cell_sequence.hpp), which runs it on the CPU and
// on cuda; tests/model_cell_cases.hpp then checks it against the step loop on both.
#include <stdexcept>

#include "core/neuron/rollout.hpp"
#include "core/nn/recurrent_spiking_module.hpp"

namespace soma::nn {

// The shape of one time step of x (T, B, ...).
inline Shape step_shape(const Tensor& x) {
  if (x.dim() < 2)
    throw std::invalid_argument("neuron layer: input " + to_string(x.shape()) +
                                " is not (T, B, ...)");
  return Shape(x.shape().begin() + 1, x.shape().end());
}

template <class Model>
class NeuronLayer : public SpikingModule {
 public:
  using Parameters = typename Model::Parameters;
  using State = typename Model::State;

  explicit NeuronLayer(Parameters p = {}) : p(p) {}

  Tensor forward(const Tensor& x) override {
    return keep_sequence(run(x, state_on(initial_state(step_shape(x)), x.device())), record_states,
                         state, recorded_);
  }

  Parameters p;
  State state;  // after the last forward

 protected:
  virtual State initial_state(const Shape& step) const { return Model::initial_state(step, p); }
  virtual Sequence<State> run(const Tensor& x, const State& s0) const {
    return model_sequence<Model>(x, s0, p, record_states);
  }
};

template <class Model>
RecurrentInit recurrent_init(int64_t input_size, int64_t hidden_size) {
  if constexpr (requires { Model::init(input_size, hidden_size); })
    return Model::init(input_size, hidden_size);
  else
    return norse_recurrent_init(hidden_size);
}

// x (T, B, I) -> (T, B, H) through input_weights (H, I) and recurrent_weights (H, H).
template <class Model>
class RecurrentNeuronLayer : public RecurrentSpikingModule {
 public:
  using Parameters = typename Model::Parameters;
  using State = typename Model::State;

  RecurrentNeuronLayer(int64_t input_size, int64_t hidden_size, Rng& rng, Parameters p = {},
                       bool autapses = false)
      : RecurrentSpikingModule(input_size, hidden_size, rng, autapses,
                               recurrent_init<Model>(input_size, hidden_size)),
        p(p) {}

  Tensor forward(const Tensor& x) override {
    check_input(x);
    State s0 = state_on(Model::initial_state({x.size(1), hidden_size()}, p), x.device());
    return keep_sequence(Model::sequence(x, s0, input_weights, recurrent(), p, record_states),
                         record_states, state, recorded_);
  }

  Parameters p;
  State state;  // after the last forward
};

}  // namespace soma::nn
