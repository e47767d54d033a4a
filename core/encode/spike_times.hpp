#pragma once
// Spike times as outputs (Norse's SpikesToTimesDecoder): spikes z (T, ...) -> the step index of
// each neuron's first k spikes, (min(k, T), ...), ascending along the first dimension, and +inf
// where a neuron spiked fewer than k times. With to_times, index * dt (seconds, dt 1e-3).
// A spike is any z > 0 (Norse multiplies the value by its 1-based step, which agrees for 0/1
// spikes and gives fractional "indices" otherwise).
//
// Gradient (Norse's): a returned time moves earlier as its spike grows, so d out_j / d z is -1 at
// the step of the j-th spike (times dt with to_times) and 0 elsewhere; inf entries pass nothing.
// A time-to-first-spike loss through a surrogate-spiking layer then trains that layer.
#include <cstdint>

#include "core/tensor/tensor.hpp"

namespace soma {

Tensor spikes_to_times(const Tensor& z, int64_t spike_count = 1, bool to_times = true,
                       float dt = 1e-3f);

}  // namespace soma
