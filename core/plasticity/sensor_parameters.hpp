#pragma once
// The parameters of Norse's synapse sensors, shared by the correlation sensor
// (correlation_sensor.hpp) and the plain STDP sensor (stdp_sensor.hpp): each keeps a causal
// trace, which jumps by eta_p at a pre-synaptic spike and decays with tau_c_inv, and an acausal
// one, which jumps by eta_m at a post-synaptic spike and decays with tau_ac_inv. The jump does not
// scale with dt tau_inv (unlike the STDP traces of stdp.hpp). Defaults as Norse: eta_p = eta_m = 1,
// tau_c_inv = tau_ac_inv = 10 /s (100 ms), dt 1e-3 s. When each trace decays is the sensor's own
// rule: see its header.
namespace soma {

struct SensorParameters {
  float eta_p = 1.0f;
  float eta_m = 1.0f;
  float tau_c_inv = 10.0f;
  float tau_ac_inv = 10.0f;
  float dt = 1e-3f;
};

}  // namespace soma
