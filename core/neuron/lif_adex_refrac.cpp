#include "core/neuron/lif_adex_refrac.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/neuron/refractory.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

LIFAdExRefracState lif_adex_refrac_initial_state(const Shape& shape,
                                                 const LIFAdExRefracParameters& p) {
  return {lif_adex_initial_state(shape, p.adex), Tensor::zeros(shape)};
}

LIFAdExRefracStep lif_adex_refrac_step(const Tensor& x, const LIFAdExRefracState& s,
                                       const LIFAdExRefracParameters& p) {
  LIFAdExState pre = lif_adex_integrate(x, s.adex, p.adex);
  Tensor z_free = spike_fn(pre.v - p.adex.v_th, p.adex.surrogate);
  RefractoryGate g = refractory_gate(z_free, s.rho, p.adex.surrogate);
  LIFAdExState post = lif_adex_fire(pre, g.z, p.adex);
  post.v = refractory_hold(post.v, s.adex.v, g);
  return {g.z, {post, refractory_count(s.rho, g, p.rho_reset)}};
}

Sequence<LIFAdExRefracState> LIFAdExRefracModel::sequence(const Tensor& x,
                                                          const LIFAdExRefracState& s0,
                                                          const LIFAdExRefracParameters& p,
                                                          bool record_states) {
  return detail::cell_sequence("lif_adex_refrac_sequence", detail::adex_refrac_cell(p), x, s0,
                               record_states);
}

}  // namespace soma
