#include "core/plasticity/stdp_sensor.hpp"

#include <stdexcept>
#include <string>

#include "core/backend/device_check.hpp"

namespace soma {

namespace {

void sensor_trace_step(const Tensor& z, Tensor& a, float keep, float jump) {
  if (z.shape() != a.shape())
    throw std::invalid_argument("stdp_sensor_step: spikes " + to_string(z.shape()) +
                                " differ from trace " + to_string(a.shape()));
  a.array() = keep * a.array() + jump * z.array();
}

}  // namespace

STDPSensorState stdp_sensor_initial_state(const Shape& pre, const Shape& post) {
  return {Tensor::zeros(pre), Tensor::zeros(post)};
}

void stdp_sensor_step(const Tensor& z_pre, const Tensor& z_post, STDPSensorState& s,
                      const SensorParameters& p) {
  require_cpu("stdp_sensor_step", z_pre, z_post, s.a_pre, s.a_post);  // no CUDA kernel yet
  sensor_trace_step(z_pre, s.a_pre, 1.0f - p.dt * p.tau_c_inv, p.eta_p);
  sensor_trace_step(z_post, s.a_post, 1.0f - p.dt * p.tau_ac_inv, p.eta_m);
}

}  // namespace soma
