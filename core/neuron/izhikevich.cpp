#include "core/neuron/izhikevich.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/izhikevich_presets.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

IzhikevichState izhikevich_initial_state(const Shape& shape, float v0, float u0) {
  return {Tensor::full(shape, v0), Tensor::full(shape, u0)};
}

IzhikevichStep izhikevich_step(const Tensor& input_current, const IzhikevichState& s,
                               const IzhikevichParameters& p) {
  float h = p.dt * p.tau_inv;
  Tensor dv = p.sq * square(s.v) + p.mn * s.v + p.bias - s.u + input_current;
  Tensor v_dec = s.v + dv * h;
  const Tensor& w = p.semi_implicit ? v_dec : s.v;
  Tensor u_dec = s.u + (p.b * (w - p.v_u) - p.u_leak * s.u) * (h * p.a);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {(1.0f - z) * v_dec + z * p.c, u_dec + z * p.d}};
}

nn::Izhikevich::Izhikevich(const IzhikevichPreset& preset)
    : NeuronLayer(preset.p), v0(preset.v0), u0(preset.u0) {}

Sequence<IzhikevichState> IzhikevichModel::sequence(const Tensor& x, const IzhikevichState& s0,
                                                    const IzhikevichParameters& p,
                                                    bool record_states) {
  return detail::cell_sequence("izhikevich_sequence", detail::izhikevich_cell(p), x, s0,
                               record_states);
}

}  // namespace soma
