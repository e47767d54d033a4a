#pragma once
// A plain STDP sensor (Norse's stdp_sensor_step): one exponentially decaying trace per
// pre-synaptic and per post-synaptic neuron that jumps by a fixed amount at each spike, for
// event-driven rules that read the traces at spike times. Euler step, decay first:
//   a_pre'  = a_pre  (1 - dt tau_c_inv)  + eta_p z_pre
//   a_post' = a_post (1 - dt tau_ac_inv) + eta_m z_post
// Parameters and defaults: sensor_parameters.hpp, shared with the correlation sensor. (Norse
// decays both traces with tau_c_inv and leaves tau_ac_inv unused; here the post trace uses its
// own.)
// Outside the tape, in place, as the rest of plasticity/.
#include "core/plasticity/sensor_parameters.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

using STDPSensorParameters = SensorParameters;

struct STDPSensorState {
  Tensor a_pre, a_post;  // shaped as z_pre and z_post
};

STDPSensorState stdp_sensor_initial_state(const Shape& pre, const Shape& post);

void stdp_sensor_step(const Tensor& z_pre, const Tensor& z_post, STDPSensorState& s,
                      const SensorParameters& p = {});

}  // namespace soma
