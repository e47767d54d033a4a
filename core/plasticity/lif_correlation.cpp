#include "core/plasticity/lif_correlation.hpp"

#include "core/ops/linalg.hpp"

namespace soma {

LIFCorrelationState lif_correlation_initial_state(int64_t batch, int64_t in, int64_t hidden,
                                                  const LIFCorrelationParameters& p) {
  return {lif_recurrent_initial_state({batch, hidden}, p.lif),
          correlation_sensor_initial_state(batch, hidden, in),
          correlation_sensor_initial_state(batch, hidden, hidden)};
}

LIFCorrelationStep lif_correlation_step(const Tensor& z_in, const Tensor& w_in, const Tensor& w_rec,
                                        const LIFCorrelationState& s,
                                        const LIFCorrelationParameters& p) {
  LIFRecurrentStep step = lif_recurrent_step(linear(z_in, w_in), w_rec, s.lif, p.lif);
  Tensor z = step.z.detach();
  return {step.z,
          {step.state, correlation_sensor_step(z_in.detach(), z, s.input, p.input),
           correlation_sensor_step(s.lif.z.detach(), z, s.recurrent, p.recurrent)}};
}

}  // namespace soma
