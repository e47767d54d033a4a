#pragma once
// A recurrent LIF layer with correlation sensors on its synapses (Norse's LIFCorrelation):
//   z_t = LIF(W_in z_in,t + W_rec z_{t-1})            lif_recurrent_step (lif_recurrent.hpp)
//   input sensors      correlation_sensor_step(z_in,t,  z_t)   on the (H, I) input synapses
//   recurrent sensors  correlation_sensor_step(z_{t-1}, z_t)   on the (H, H) recurrent synapses
// The spikes are differentiable through the LIF's surrogate as usual; the sensors read their
// values only (see correlation_sensor.hpp). Norse's correlation experiment: 100 Poisson inputs
// at 5 Hz -> LIFCorrelation(8) -> LI(2), weights updated by correlation_update.hpp.
#include "core/neuron/lif_recurrent.hpp"
#include "core/plasticity/correlation_sensor.hpp"

namespace soma {

struct LIFCorrelationParameters {
  LIFParameters lif{};
  SensorParameters input{};
  SensorParameters recurrent{};
};

struct LIFCorrelationState {
  LIFRecurrentState lif;             // (B, H)
  CorrelationSensorState input;      // (B, H, I)
  CorrelationSensorState recurrent;  // (B, H, H)
};

LIFCorrelationState lif_correlation_initial_state(int64_t batch, int64_t in, int64_t hidden,
                                                  const LIFCorrelationParameters& p = {});

struct LIFCorrelationStep {
  Tensor z;  // (B, H)
  LIFCorrelationState state;
};

// z_in (B, I), w_in (H, I), w_rec (H, H).
LIFCorrelationStep lif_correlation_step(const Tensor& z_in, const Tensor& w_in, const Tensor& w_rec,
                                        const LIFCorrelationState& s,
                                        const LIFCorrelationParameters& p = {});

}  // namespace soma
