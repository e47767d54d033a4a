#pragma once
// Encoders turn static values into spike trains (T, ...) and decoders turn (T, ...) back into
// values; time is the first dimension, as everywhere in Soma. Encoders are not differentiable
// (their inputs are data), decoders are.
#include "core/neuron/lif_box.hpp"

namespace soma {

class Rng;

// Spike where U < dt f_max x (Norse's PoissonEncoder; f_max 100 Hz gives p = 0.1 at x = 1).
Tensor poisson_encode(const Tensor& x, int64_t steps, Rng& rng, float f_max = 100.0f,
                      float dt = 1e-3f);
// sign(x) times a Poisson spike on |x|.
Tensor signed_poisson_encode(const Tensor& x, int64_t steps, Rng& rng, float f_max = 100.0f,
                             float dt = 1e-3f);
// x itself at every step: the network's first layer takes the values as input currents (what
// Norse's cifar10 task does with the raw image).
Tensor constant_current_encode(const Tensor& x, int64_t steps);
// x is a constant current into a synapse-free LIF: v_n = 1 - 0.9^n below threshold.
Tensor constant_current_lif_encode(const Tensor& x, int64_t steps, const LIFBoxParameters& p = {});
// Keeps only the first spike of each neuron.
Tensor spike_latency_mask(const Tensor& spikes);
inline Tensor spike_latency_lif_encode(const Tensor& x, int64_t steps,
                                       const LIFBoxParameters& p = {}) {
  return spike_latency_mask(constant_current_lif_encode(x, steps, p));
}
// Gaussian receptive fields (Norse's PopulationEncoder with its default RBF): centres
// linspace(0, scale, n), response exp(-scale (x - c)^2 / 2); output shape (..., n).
Tensor population_encode(const Tensor& x, int64_t n, float scale);

// Decoders over the time dimension.
Tensor sum_decode(const Tensor& x);
Tensor max_decode(const Tensor& x);
Tensor last_decode(const Tensor& x);

}  // namespace soma
