#include "core/neuron/lif_mc.hpp"

#include <cmath>
#include <stdexcept>

#include "core/nn/init.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

Tensor coupling(const Tensor& v, const Tensor& g) {
  if (g.dim() != 2 || g.size(0) != g.size(1) || v.dim() < 1 || v.size(v.dim() - 1) != g.size(0))
    throw std::invalid_argument("lif_mc: coupling " + to_string(g.shape()) +
                                " does not fit compartments " + to_string(v.shape()));
  return linear(v, g);
}

namespace {
Tensor coupled(const Tensor& v, const Tensor& g, float dt) {
  return v + coupling(v, g) * dt;
}
}  // namespace

LIFStep lif_mc_step(const Tensor& x, const LIFState& s, const Tensor& g, const LIFParameters& p) {
  return lif_step(x, {coupled(s.v, g, p.dt), s.i}, p);
}

LIFSequence lif_mc_sequence(const Tensor& x, const LIFState& s0, const Tensor& g,
                            const LIFParameters& p, bool record_states) {
  LIFState s = s0;
  Tensors zs, vs;
  for (int64_t t = 0; t < x.size(0); ++t) {
    LIFSequence r =
        lif_sequence(slice(x, 0, t, t + 1), {coupled(s.v, g, p.dt), s.i}, p, record_states);
    s = r.state;
    zs.push_back(r.z);
    if (record_states) vs.push_back(r.v);
  }
  return {cat(zs, 0), s, record_states ? cat(vs, 0) : Tensor()};
}

LIFRecurrentStep lif_mc_recurrent_step(const Tensor& x_in, const Tensor& w_rec, const Tensor& g,
                                       const LIFRecurrentState& s, const LIFParameters& p) {
  return lif_recurrent_step(x_in, w_rec, {s.z, coupled(s.v, g, p.dt), s.i}, p);
}

Tensor register_coupling(nn::Module& m, int64_t hidden_size, Rng& rng) {
  Tensor g = m.register_parameter("g", Tensor::zeros({hidden_size, hidden_size}));
  nn::init::normal_(g, 0, 1.0f / std::sqrt(float(hidden_size)), rng);
  return g;
}

nn::LIFMCRecurrent::LIFMCRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                   LIFParameters p, bool autapses)
    : RecurrentSpikingModule(input_size, hidden_size, rng, autapses,
                             norse_recurrent_init(hidden_size)),
      g(register_coupling(*this, hidden_size, rng)),
      p(p) {}

Tensor nn::LIFMCRecurrent::forward(const Tensor& x) {
  check_input(x);
  const Tensor w_rec = recurrent();
  auto step = [&](const Tensor& xt, const LIFRecurrentState& s) {
    return lif_mc_recurrent_step(xt, w_rec, g, s, p);
  };
  LIFRecurrentState s0 = lif_recurrent_state_on({x.size(1), hidden_size()}, p, x.device());
  return keep_sequence(rollout(linear(x, input_weights), s0, step, record_states), record_states,
                       state, recorded_);
}

nn::LIFMC::LIFMC(int64_t hidden_size, Rng& rng, LIFParameters p) : NeuronLayer(p) {
  if (hidden_size <= 0) throw std::invalid_argument("LIFMC: hidden size must be positive");
  g = register_coupling(*this, hidden_size, rng);
}

Sequence<LIFState> nn::LIFMC::run(const Tensor& x, const LIFState& s0) const {
  return lif_layer_sequence(lif_mc_sequence(x, s0, g, p, record_states), x, s0, p, record_states);
}

}  // namespace soma
