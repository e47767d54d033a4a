#include "core/neuron/lif_learnable.hpp"

#include <cfloat>
#include <cmath>
#include <stdexcept>

#include "core/neuron/rollout.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"

namespace soma {

LIFRecurrentStep lif_recurrent_step(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s, const LIFParameters& p,
                                    const LIFNeuronTensors& q) {
  Tensor j = s.i + x_in + linear(s.z, w_rec);
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * q.mem_factor;
  Tensor z = spike_fn(v_dec - q.v_th, p.surrogate);
  Tensor zd = z.detach();
  Tensor v = p.reset == Reset::value ? (1.0f - zd) * v_dec + zd * p.v_reset : v_dec - zd * q.v_th;
  return {z, {z, v, j * q.syn_keep}};
}

float logit(float y) {
  if (!(y > 0.0f && y < 1.0f))
    throw std::invalid_argument("logit: " + std::to_string(y) + " is not in (0, 1)");
  return std::log(y / (1.0f - y));
}

namespace nn {

LIFRecurrentLearnable::LIFRecurrentLearnable(int64_t input_size, int64_t hidden_size, Rng& rng,
                                             LIFParameters p, bool autapses)
    : LIFRecurrent(input_size, hidden_size, rng, p, autapses) {
  const float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  if (!(am > 0 && am < 1 && as > 0 && as < 1))
    throw std::invalid_argument(
        "LIFRecurrentLearnable: dt tau_mem_inv and dt tau_syn_inv must lie in (0, 1), got " +
        std::to_string(am) + " and " + std::to_string(as));
  mem_logit = register_parameter("mem_logit", Tensor::full({hidden_size}, logit(am)));
  syn_logit = register_parameter("syn_logit", Tensor::full({hidden_size}, logit(as)));
  v_th = register_parameter("v_th", Tensor::full({hidden_size}, p.v_th));
}

LIFNeuronTensors LIFRecurrentLearnable::neuron_tensors() const {
  return {sigmoid(mem_logit), 1.0f - sigmoid(syn_logit), clamp(v_th, 1e-3f, FLT_MAX)};
}

Tensor LIFRecurrentLearnable::forward(const Tensor& x) {
  check_input(x);
  const Tensor w_rec = recurrent();
  const LIFNeuronTensors q = neuron_tensors();
  auto step = [&](const Tensor& xt, const LIFRecurrentState& s) {
    return lif_recurrent_step(xt, w_rec, s, p, q);
  };
  LIFRecurrentState s0 = lif_recurrent_state_on({x.size(1), hidden_size()}, p, x.device());
  return keep_sequence(rollout(linear(x, input_weights), s0, step, record_states), record_states,
                       state, recorded_);
}

std::shared_ptr<LIFRecurrent> make_lif_recurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                                 const LIFParameters& p, bool learn_neuron_params) {
  if (learn_neuron_params)
    return std::make_shared<LIFRecurrentLearnable>(input_size, hidden_size, rng, p);
  return std::make_shared<LIFRecurrent>(input_size, hidden_size, rng, p);
}

}  // namespace nn
}  // namespace soma
