#include "core/neuron/izhikevich_presets.hpp"

#include <cmath>
#include <stdexcept>

namespace soma {

namespace {

IzhikevichParameters abcd(float a, float b, float c, float d, float step_ms) {
  IzhikevichParameters p;
  p.a = a, p.b = b, p.c = c, p.d = d;
  p.tau_inv = step_ms / p.dt;
  p.semi_implicit = true;
  return p;
}

// Class 1 and integrator cells: 0.04 v^2 + 4.1 v + 108.
IzhikevichParameters class_1(float a, float b, float c, float d, float step_ms) {
  IzhikevichParameters p = abcd(a, b, c, d, step_ms);
  p.mn = 4.1f, p.bias = 108.0f;
  return p;
}

// Accommodation: u' = u + h a b (v + 65), no decay of u.
IzhikevichParameters accommodating(float a, float b, float c, float d, float step_ms) {
  IzhikevichParameters p = abcd(a, b, c, d, step_ms);
  p.v_u = -65.0f, p.u_leak = 0.0f;
  return p;
}

bool in(float t, float from, float width) {
  return t > from && t < from + width;
}

std::vector<IzhikevichPreset> make_presets() {
  // Each entry: name, parameters, v0, u0 (b v0 unless the figure says otherwise), duration, I(t).
  return {
      {"tonic_spiking", abcd(0.02f, 0.2f, -65, 6, 0.25f), -70, 0.2f * -70, 100,
       [](float t) { return t > 10 ? 14.0f : 0.0f; }},
      {"phasic_spiking", abcd(0.02f, 0.25f, -65, 6, 0.25f), -64, 0.25f * -64, 200,
       [](float t) { return t > 20 ? 0.5f : 0.0f; }},
      {"tonic_bursting", abcd(0.02f, 0.2f, -50, 2, 0.25f), -70, 0.2f * -70, 220,
       [](float t) { return t > 22 ? 15.0f : 0.0f; }},
      {"phasic_bursting", abcd(0.02f, 0.25f, -55, 0.05f, 0.2f), -64, 0.25f * -64, 200,
       [](float t) { return t > 20 ? 0.6f : 0.0f; }},
      {"mixed_mode", abcd(0.02f, 0.2f, -55, 4, 0.25f), -70, 0.2f * -70, 160,
       [](float t) { return t > 16 ? 10.0f : 0.0f; }},
      {"spike_frequency_adaptation", abcd(0.01f, 0.2f, -65, 8, 0.25f), -70, 0.2f * -70, 85,
       [](float t) { return t > 8.5f ? 30.0f : 0.0f; }},
      {"class_1_exc", class_1(0.02f, -0.1f, -55, 6, 0.25f), -60, -0.1f * -60, 300,
       [](float t) { return t > 30 ? 0.075f * (t - 30) : 0.0f; }},
      {"class_2_exc", abcd(0.2f, 0.26f, -65, 0, 0.25f), -64, 0.26f * -64, 300,
       [](float t) { return t > 30 ? -0.5f + 0.015f * (t - 30) : -0.5f; }},
      {"spike_latency", abcd(0.02f, 0.2f, -65, 6, 0.2f), -70, 0.2f * -70, 100,
       [](float t) { return in(t, 10, 3) ? 7.04f : 0.0f; }},
      {"subthreshold_oscillation", abcd(0.05f, 0.26f, -60, 0, 0.25f), -62, 0.26f * -62, 200,
       [](float t) { return in(t, 20, 5) ? 2.0f : 0.0f; }},
      {"resonator", abcd(0.1f, 0.26f, -60, -1, 0.25f), -62, 0.26f * -62, 400,
       [](float t) {  // pulse pairs 20 ms apart (resonant) and 40 ms apart
         return in(t, 40, 4) || in(t, 60, 4) || in(t, 280, 4) || in(t, 320, 4) ? 0.65f : 0.0f;
       }},
      {"integrator", class_1(0.02f, -0.1f, -55, 6, 0.25f), -60, -0.1f * -60, 100,
       [](float t) {  // pulse pairs 5 ms apart (summed) and 10 ms apart
         const float t1 = 100.0f / 11;
         return in(t, t1, 2) || in(t, t1 + 5, 2) || in(t, 70, 2) || in(t, 80, 2) ? 9.0f : 0.0f;
       }},
      {"rebound_spike", abcd(0.03f, 0.25f, -60, 4, 0.2f), -64, 0.25f * -64, 200,
       [](float t) { return in(t, 20, 5) ? -15.0f : 0.0f; }},
      {"rebound_burst", abcd(0.03f, 0.25f, -52, 0, 0.2f), -64, 0.25f * -64, 200,
       [](float t) { return in(t, 20, 5) ? -15.0f : 0.0f; }},
      {"threshold_variability", abcd(0.03f, 0.25f, -60, 4, 0.25f), -64, 0.25f * -64, 100,
       [](float t) {
         if (in(t, 10, 5) || in(t, 80, 5)) return 1.0f;
         return in(t, 70, 5) ? -6.0f : 0.0f;
       }},
      {"bistability", abcd(0.1f, 0.26f, -60, 0, 0.25f), -61, 0.26f * -61, 300,
       [](float t) { return in(t, 37.5f, 5) || in(t, 216, 5) ? 1.24f : 0.24f; }},
      {"dap", abcd(1, 0.2f, -60, -21, 0.1f), -70, 0.2f * -70, 50,
       [](float t) { return std::fabs(t - 10) < 1 ? 20.0f : 0.0f; }},
      {"accomodation", accommodating(0.02f, 1, -55, 4, 0.5f), -65, -16, 400,
       [](float t) {  // a slow ramp that accommodates, then a fast one that fires
         if (t < 200) return t / 25;
         if (t < 300) return 0.0f;
         return t < 312.5f ? (t - 300) / 12.5f * 4 : 0.0f;
       }},
      {"inhibition_induced_spiking", abcd(-0.02f, -1, -60, 8, 0.5f), -63.8f, 63.8f, 350,
       [](float t) { return t < 50 || t > 250 ? 80.0f : 75.0f; }},
      {"inhibition_induced_bursting", abcd(-0.026f, -1, -45, -2, 0.5f), -63.8f, 63.8f, 350,
       [](float t) { return t < 50 || t > 250 ? 80.0f : 75.0f; }},
  };
}

}  // namespace

int64_t IzhikevichPreset::steps() const {
  return int64_t(std::lround(duration_ms / step_ms())) + 1;
}

const std::vector<IzhikevichPreset>& izhikevich_presets() {
  static const std::vector<IzhikevichPreset> presets = make_presets();
  return presets;
}

std::vector<std::string> izhikevich_preset_names() {
  std::vector<std::string> names;
  for (const IzhikevichPreset& p : izhikevich_presets()) names.push_back(p.name);
  return names;
}

const IzhikevichPreset& izhikevich_preset(const std::string& name) {
  for (const IzhikevichPreset& p : izhikevich_presets())
    if (name == p.name) return p;
  std::string valid;
  for (const IzhikevichPreset& p : izhikevich_presets())
    valid += (valid.empty() ? "" : ", ") + std::string(p.name);
  throw std::invalid_argument("unknown Izhikevich preset '" + name + "'; valid: " + valid);
}

Tensor izhikevich_preset_input(const IzhikevichPreset& preset, int64_t steps) {
  int64_t n = steps < 0 ? preset.steps() : steps;
  std::vector<float> current(size_t(n), 0.0f);
  for (int64_t k = 0; k < n; ++k) current[size_t(k)] = preset.current(float(k) * preset.step_ms());
  return Tensor::from({n, 1}, std::move(current));
}

IzhikevichState izhikevich_preset_state(const IzhikevichPreset& preset) {
  return izhikevich_initial_state({1}, preset.v0, preset.u0);
}

}  // namespace soma
