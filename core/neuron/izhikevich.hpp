#pragma once
// Izhikevich neurons (Izhikevich 2003; Norse's Izhikevich). State v (mV), u. With h = dt tau_inv,
// the step in the model's ms:
//   v~ = v + h (sq v^2 + mn v + bias - u + I)
//   u~ = u + h a (b (w - v_u) - u_leak u),   w = v (explicit Euler, Norse; the default)
//                                            or w = v~ (semi_implicit, Izhikevich's scripts)
//   z  = H(v~ - v_th),   v' = (1 - z) v~ + z c,   u' = u~ + z d
// Defaults: sq 0.04, mn 5, bias 140, v_u 0, u_leak 1, v_th 30, tau_inv 250 with dt 1e-3 (so one
// step is 0.25 ms), SuperSpike alpha 100, and (a, b, c, d) = (0.02, 0.2, -65, 8), the regular
// spiking cortical cell of the 2003 paper. mn, bias, v_u and u_leak exist for figure 1 of
// Izhikevich (2004), whose class 1 and integrator cells use 4.1 v + 108 and whose accommodation
// cell uses u' = u + h a b (v + 65); see izhikevich_presets.hpp. The presets are semi-implicit:
// their parameters were tuned with that scheme, and DAP, bistability and inhibition-induced
// bursting lose their pattern under explicit Euler (DAP fires four times, bistability is not
// switched off, inhibition-induced bursting fires on every step once I returns to 80).
#include <array>

#include "core/neuron/rollout.hpp"
#include "core/neuron/surrogate.hpp"
#include "core/nn/neuron_layer.hpp"

namespace soma {

struct IzhikevichParameters {
  float a = 0.02f;
  float b = 0.2f;
  float c = -65.0f;
  float d = 8.0f;
  float sq = 0.04f;
  float mn = 5.0f;
  float bias = 140.0f;
  float v_u = 0.0f;
  float u_leak = 1.0f;
  float v_th = 30.0f;
  float tau_inv = 250.0f;
  bool semi_implicit = false;
  Surrogate surrogate{};
  float dt = 1e-3f;
};

struct IzhikevichState {
  Tensor v, u;
  static constexpr std::array<const char*, 2> names{"v", "u"};
  std::array<Tensor*, 2> fields() { return {&v, &u}; }
};

// Izhikevich's usual start is v0 = -70 or so and u0 = b v0.
IzhikevichState izhikevich_initial_state(const Shape& shape, float v0, float u0);

struct IzhikevichStep {
  Tensor z;
  IzhikevichState state;
};

IzhikevichStep izhikevich_step(const Tensor& input_current, const IzhikevichState& s,
                               const IzhikevichParameters& p);

// The layer's model. Its default initial state is v = -70, u = b v; nn::Izhikevich sets its own.
struct IzhikevichModel {
  using Parameters = IzhikevichParameters;
  using State = IzhikevichState;
  static IzhikevichState initial_state(const Shape& shape, const IzhikevichParameters& p) {
    return izhikevich_initial_state(shape, -70.0f, p.b * -70.0f);
  }
  static constexpr auto step = &izhikevich_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<IzhikevichState> sequence(const Tensor& x, const IzhikevichState& s0,
                                            const IzhikevichParameters& p, bool record_states);
};

inline constexpr ModelSequence<IzhikevichModel> izhikevich_sequence{};

struct IzhikevichPreset;

namespace nn {

// Izhikevich layer over (T, B, ...) input currents. Every forward starts from v = v0, u = u0 (by
// default -70 and b v0). recorded(): "v", "u".
class Izhikevich : public NeuronLayer<IzhikevichModel> {
 public:
  explicit Izhikevich(IzhikevichParameters p = {}, float v0 = -70.0f)
      : NeuronLayer(p), v0(v0), u0(p.b * v0) {}
  // A behaviour of izhikevich_presets.hpp: its parameters and initial state.
  explicit Izhikevich(const IzhikevichPreset& preset);
  float v0, u0;

 protected:
  IzhikevichState initial_state(const Shape& step) const override {
    return izhikevich_initial_state(step, v0, u0);
  }
};

}  // namespace nn

}  // namespace soma
