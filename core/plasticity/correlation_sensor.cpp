#include "core/plasticity/correlation_sensor.hpp"

#include <stdexcept>
#include <string>

namespace soma {

CorrelationSensorState correlation_sensor_initial_state(int64_t batch, int64_t out, int64_t in) {
  return {Tensor::zeros({batch, out, in}), Tensor::zeros({batch, out, in}),
          Tensor::zeros({batch, out, in})};
}

CorrelationSensorState correlation_sensor_step(const Tensor& z_pre, const Tensor& z_post,
                                               const CorrelationSensorState& s,
                                               const SensorParameters& p) {
  const Shape& shape = s.post_pre.shape();
  if (shape.size() != 3 || z_pre.shape() != Shape{shape[0], shape[2]} ||
      z_post.shape() != Shape{shape[0], shape[1]})
    throw std::invalid_argument("correlation_sensor_step: z_pre " + to_string(z_pre.shape()) +
                                " and z_post " + to_string(z_post.shape()) +
                                " do not match the sensor state " + to_string(shape));
  int64_t batch = shape[0], out = shape[1], in = shape[2];
  CorrelationSensorState n{Tensor::zeros(shape), Tensor::zeros(shape), Tensor::zeros(shape)};
  const float dc = p.dt * p.tau_c_inv, dac = p.dt * p.tau_ac_inv;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < out; ++o) {
      float post = z_post.data()[b * out + o];
      for (int64_t i = 0; i < in; ++i) {
        int64_t k = (b * out + o) * in + i;
        float pre = z_pre.data()[b * in + i], pp = s.post_pre.data()[k];
        n.correlation.data()[k] =
            s.correlation.data()[k] * (1.0f - dc * (1.0f - pp)) + p.eta_p * pre;
        n.anti_correlation.data()[k] =
            s.anti_correlation.data()[k] * (1.0f - dac * pp) + p.eta_m * post;
        n.post_pre.data()[k] = pp + post - pre > 0.0f ? 1.0f : 0.0f;
      }
    }
  return n;
}

}  // namespace soma
