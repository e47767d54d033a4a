#include "core/neuron/lif_learnable.hpp"

#include <cfloat>
#include <cmath>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
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

namespace {

// The logits of per-step factors dt / tau, each in (0, 1), where the step is stable.
Tensor logits(const std::vector<float>& factors, const char* field) {
  std::vector<float> out;
  for (size_t k = 0; k < factors.size(); ++k) {
    const float a = factors[k];
    if (!(a > 0.0f && a < 1.0f))
      throw std::invalid_argument("neuron " + std::to_string(k) + "'s dt / " + field + " = " +
                                  std::to_string(a) + " lies outside (0, 1)");
    out.push_back(std::log(a / (1.0f - a)));
  }
  const int64_t n = int64_t(out.size());  // before the move: argument order is unspecified
  return Tensor::from({n}, std::move(out));
}

}  // namespace

namespace nn {

LIFRecurrentLearnable::LIFRecurrentLearnable(int64_t input_size, int64_t hidden_size, Rng& rng,
                                             LIFParameters p, bool autapses)
    : LIFRecurrent(input_size, hidden_size, rng, p, autapses) {
  const float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  if (!(am > 0 && am < 1 && as > 0 && as < 1))
    throw std::invalid_argument(
        "LIFRecurrentLearnable: dt tau_mem_inv and dt tau_syn_inv must lie in (0, 1), got " +
        std::to_string(am) + " and " + std::to_string(as));
  const size_t h = static_cast<size_t>(hidden_size);
  mem_logit = register_parameter("mem_logit", logits(std::vector<float>(h, am), "tau_mem"));
  syn_logit = register_parameter("syn_logit", logits(std::vector<float>(h, as), "tau_syn"));
  v_th = register_parameter("v_th", Tensor::full({hidden_size}, p.v_th));
}

LIFRecurrentLearnable::Constants LIFRecurrentLearnable::constants() const {
  NoGrad no_grad;
  const LIFNeuronTensors q = neuron_tensors();
  const std::vector<float> mem = q.mem_factor.cpu().to_vector(),
                           keep = q.syn_keep.cpu().to_vector(), th = q.v_th.cpu().to_vector();
  const double dt = double(p.dt);
  Constants c;
  for (size_t k = 0; k < mem.size(); ++k) {
    c.tau_mem.push_back(dt / double(mem[k]));
    c.tau_syn.push_back(dt / (1.0 - double(keep[k])));
    c.v_th.push_back(double(th[k]));
  }
  return c;
}

void LIFRecurrentLearnable::set_constants(const std::vector<float>& mem_factor,
                                          const std::vector<float>& syn_factor,
                                          const std::vector<float>& v_th_values) {
  const int64_t h = hidden_size();
  for (const std::vector<float>* v : {&mem_factor, &syn_factor, &v_th_values})
    if (int64_t(v->size()) != h)
      throw std::invalid_argument("LIFRecurrentLearnable: " + std::to_string(v->size()) +
                                  " constants for " + std::to_string(h) + " neurons");
  Tensor mem = logits(mem_factor, "tau_mem"), syn = logits(syn_factor, "tau_syn");
  NoGrad no_grad;
  mem_logit.copy_(mem);
  syn_logit.copy_(syn);
  v_th.copy_(Tensor::from({h}, v_th_values));
}

LIFNeuronTensors LIFRecurrentLearnable::neuron_tensors() const {
  return {sigmoid(mem_logit), 1.0f - sigmoid(syn_logit), clamp(v_th, 1e-3f, FLT_MAX)};
}

Tensor LIFRecurrentLearnable::forward(const Tensor& x) {
  check_input(x);
  const Tensor w_rec = recurrent();
  const LIFNeuronTensors q = neuron_tensors();
  LIFRecurrentState s0 = lif_recurrent_state_on({x.size(1), hidden_size()}, p, x.device());
  // The fused scan (on the CPU the projection is its own scratch).
  LIFRecurrentSequence r = lif_recurrent_learnable_sequence(linear(x, input_weights), w_rec, s0, p,
                                                            q, record_states, true);
  return keep_sequence(Sequence<LIFRecurrentState>{r.z, r.state, {Tensor(), r.v, r.i}},
                       record_states, state, recorded_);
}

std::shared_ptr<LIFRecurrent> make_lif_recurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                                 const LIFParameters& p, bool learn_neuron_params) {
  if (learn_neuron_params)
    return std::make_shared<LIFRecurrentLearnable>(input_size, hidden_size, rng, p);
  return std::make_shared<LIFRecurrent>(input_size, hidden_size, rng, p);
}

}  // namespace nn
}  // namespace soma
