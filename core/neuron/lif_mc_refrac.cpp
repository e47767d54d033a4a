#include "core/neuron/lif_mc_refrac.hpp"

#include <cmath>
#include <stdexcept>

#include "core/neuron/refractory.hpp"
#include "core/nn/init.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"

namespace soma {

LIFRefracStep lif_mc_refrac_step(const Tensor& x, const LIFRefracState& s, const Tensor& g,
                                 const LIFRefracParameters& p) {
  const LIFParameters& q = p.lif;
  Tensor m = spike_fn(s.rho, q.surrogate);
  Tensor leak = (q.dt * q.tau_mem_inv) * (q.v_leak - s.lif.v + s.lif.i);
  Tensor v_dec = s.lif.v + (1.0f - m) * leak + coupling(s.lif.v, g);
  Tensor i = s.lif.i * (1.0f - q.dt * q.tau_syn_inv) + x;
  Tensor z = spike_fn(v_dec - q.v_th, q.surrogate);
  return {z, {{reset_voltage(v_dec, z, q), i}, refractory_count(s.rho, {m, z}, p.rho_reset)}};
}

LIFRefracStep lif_mc_refrac_recurrent_step(const Tensor& x, const Tensor& z_prev,
                                           const LIFRefracState& s, const Tensor& w_in,
                                           const Tensor& w_rec, const Tensor& g,
                                           const LIFRefracParameters& p) {
  return lif_mc_refrac_step(linear(x, w_in) + linear(z_prev, w_rec), s, g, p);
}

Sequence<LIFRefracState> lif_mc_refrac_sequence(const Tensor& x, const LIFRefracState& s0,
                                                const Tensor& g, const LIFRefracParameters& p,
                                                bool record_states) {
  auto step = [&](const Tensor& xt, const LIFRefracState& s) {
    return lif_mc_refrac_step(xt, s, g, p);
  };
  return rollout(x, s0, step, record_states);
}

nn::LIFMCRefrac::LIFMCRefrac(int64_t hidden_size, Rng& rng, LIFRefracParameters p)
    : NeuronLayer(p) {
  if (hidden_size <= 0) throw std::invalid_argument("LIFMCRefrac: hidden size must be positive");
  g = register_coupling(*this, hidden_size, rng);
}

nn::LIFMCRefracRecurrent::LIFMCRefracRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                               LIFRefracParameters p, bool autapses)
    : RecurrentSpikingModule(input_size, hidden_size, rng, autapses,
                             norse_recurrent_init(hidden_size)),
      g(register_coupling(*this, hidden_size, rng)),
      p(p) {}

Tensor nn::LIFMCRefracRecurrent::forward(const Tensor& x) {
  check_input(x);
  const Tensor w_rec = recurrent();
  using State = LIFMCRefracRecurrentState;
  auto step = [&](const Tensor& xt, const State& s) {
    LIFRefracStep r = lif_mc_refrac_step(xt + linear(s.z, w_rec), s.refrac, g, p);
    return std::pair<Tensor, State>{r.z, {r.z, r.state}};
  };
  const Shape shape{x.size(1), hidden_size()};
  State s0{Tensor::zeros(shape, x.device()),
           state_on(lif_refrac_initial_state(shape, p), x.device())};
  return keep_sequence(rollout(linear(x, input_weights), s0, step, record_states), record_states,
                       state, recorded_);
}

Sequence<LIFRefracState> nn::LIFMCRefrac::run(const Tensor& x, const LIFRefracState& s0) const {
  return lif_mc_refrac_sequence(x, s0, g, p, record_states);
}

}  // namespace soma
