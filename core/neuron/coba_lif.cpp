#include "core/neuron/coba_lif.hpp"

#include <cmath>

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"

namespace soma {

CobaLIFState coba_lif_initial_state(const Shape& shape, const CobaLIFParameters& p) {
  return {Tensor::full(shape, p.v_rest), Tensor::zeros(shape), Tensor::zeros(shape)};
}

CobaLIFRecurrentState coba_lif_recurrent_initial_state(const Shape& shape,
                                                       const CobaLIFParameters& p) {
  CobaLIFState s = coba_lif_initial_state(shape, p);
  return {Tensor::zeros(shape), s.v, s.g_e, s.g_i};
}

namespace {
// Both forms: decay, add the new conductances, integrate v, fire.
CobaLIFStep advance(const Tensor& ge_in, const Tensor& gi_in, const Tensor& v, const Tensor& g_e,
                    const Tensor& g_i, const CobaLIFParameters& p) {
  Tensor ge = g_e * (1.0f - p.dt * p.tau_syn_exc_inv) + ge_in;
  Tensor gi = g_i * (1.0f - p.dt * p.tau_syn_inh_inv) + gi_in;
  Tensor current = p.g_l * (p.v_rest - v) + ge * (p.e_rev_e - v) + gi * (p.e_rev_i - v);
  Tensor v_dec = v + current * (p.dt * p.c_m_inv);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {(1.0f - z) * v_dec + z * p.v_reset, ge, gi}};
}
}  // namespace

CobaLIFStep coba_lif_step(const Tensor& x, const CobaLIFState& s, const CobaLIFParameters& p) {
  return advance(relu(x), relu(-x), s.v, s.g_e, s.g_i, p);
}

CobaLIFRecurrentStep coba_lif_recurrent_step(const Tensor& z_in, const CobaLIFRecurrentState& s,
                                             const Tensor& w_in, const Tensor& w_rec,
                                             const CobaLIFParameters& p) {
  Tensor ge_in = linear(z_in, relu(w_in)) + linear(s.z, relu(w_rec));
  Tensor gi_in = linear(z_in, relu(-w_in)) + linear(s.z, relu(-w_rec));
  CobaLIFStep r = advance(ge_in, gi_in, s.v, s.g_e, s.g_i, p);
  return {r.z, {r.z, r.state.v, r.state.g_e, r.state.g_i}};
}

Sequence<CobaLIFRecurrentState> coba_lif_recurrent_sequence(const Tensor& z_in,
                                                            const CobaLIFRecurrentState& s0,
                                                            const Tensor& w_in, const Tensor& w_rec,
                                                            const CobaLIFParameters& p,
                                                            bool record_states) {
  auto step = [&](const Tensor& zt, const CobaLIFRecurrentState& s) {
    return coba_lif_recurrent_step(zt, s, w_in, w_rec, p);
  };
  return rollout(z_in, s0, step, record_states);
}

nn::RecurrentInit CobaLIFRecurrentModel::init(int64_t input_size, int64_t hidden_size) {
  return {1.0f / std::sqrt(float(input_size)), 1.0f / std::sqrt(float(hidden_size))};
}

Sequence<CobaLIFState> CobaLIFModel::sequence(const Tensor& x, const CobaLIFState& s0,
                                              const CobaLIFParameters& p, bool record_states) {
  return detail::cell_sequence("coba_lif_sequence", detail::coba_lif_cell(p), x, s0, record_states);
}

}  // namespace soma
