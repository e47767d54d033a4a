#pragma once
// The 20 behaviours of figure 1 of Izhikevich (2004), "Which model to use for cortical spiking
// neurons?" (IEEE TNN 15(5)), from its published parameter script (figure1.m): for each, the
// (a, b, c, d), the integration step of the figure (as tau_inv = step / dt), the initial v and u,
// the duration and the input current the behaviour is shown with. They integrate as the script
// does, u from the updated v (semi_implicit). Names follow Norse (with
// "threshold_variability" spelled correctly, and "accomodation" as Norse spells it).
//
// The figure's inputs start after a quiet period, e.g. tonic spiking gets I = 14 from
// t = 10 ms on; izhikevich_preset_input samples them at the steps t = k * step, k = 0..T-1.
#include <string>
#include <vector>

#include "core/neuron/izhikevich.hpp"

namespace soma {

struct IzhikevichPreset {
  const char* name;
  IzhikevichParameters p;
  float v0, u0;
  float duration_ms;
  float (*current)(float t_ms);  // the figure's input, t in ms

  float step_ms() const { return p.dt * p.tau_inv; }
  int64_t steps() const;  // duration / step + 1, as the figure's time grid 0:step:duration
};

const std::vector<IzhikevichPreset>& izhikevich_presets();
std::vector<std::string> izhikevich_preset_names();  // in the figure's order
// Throws std::invalid_argument listing the valid names for an unknown one.
const IzhikevichPreset& izhikevich_preset(const std::string& name);

// (T, 1): the preset's current at each step; T = steps, or preset.steps() when negative.
Tensor izhikevich_preset_input(const IzhikevichPreset& preset, int64_t steps = -1);
// (1) tensors holding v0 and u0.
IzhikevichState izhikevich_preset_state(const IzhikevichPreset& preset);

}  // namespace soma
