#pragma once
// Correlation sensors (Norse's correlation_sensor_step: an idealised version of the per-synapse
// sensors of the BrainScaleS-2 chips). Every synapse (b, o, i) between pre-synaptic neuron i
// (spikes z_pre (B, in)) and post-synaptic neuron o (spikes z_post (B, out)) keeps
//   pp  post_pre flag: 1 when its last event was a post spike, 0 after a pre spike (or none)
//   c   correlation trace       (pre -> post, causal)
//   ac  anti-correlation trace  (post -> pre, acausal)
// One Euler step, decays first with the old flag, H(x) = [x > 0]:
//   c   = c  (1 - dt tau_c_inv  (1 - pp))      c decays only while the last event was a pre spike
//   ac  = ac (1 - dt tau_ac_inv pp)            ac decays only while it was a post spike
//   pp' = H(pp + z_post - z_pre)               a pre and a post spike in one step keep pp
//   c'  = c  + eta_p z_pre
//   ac' = ac + eta_m z_post
// So a pre spike followed n steps later by a post spike leaves c = eta_p (1 - dt tau_c_inv)^n,
// frozen until the next pre spike; ac records post -> pre intervals the same way.
// Parameters and defaults: sensor_parameters.hpp (Norse's: eta 1, 100 ms, dt 1e-3 s).
// The state is (B, out, in), laid out as the weight (out, in) it informs (Norse stores
// (B, in, out)). The sensors read spike values only: the step is not recorded on the tape.
#include "core/plasticity/sensor_parameters.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

using CorrelationSensorParameters = SensorParameters;

struct CorrelationSensorState {
  Tensor post_pre, correlation, anti_correlation;  // (B, out, in)
};

CorrelationSensorState correlation_sensor_initial_state(int64_t batch, int64_t out, int64_t in);

// Returns a new state; s is left unchanged.
CorrelationSensorState correlation_sensor_step(const Tensor& z_pre, const Tensor& z_post,
                                               const CorrelationSensorState& s,
                                               const SensorParameters& p = {});

}  // namespace soma
