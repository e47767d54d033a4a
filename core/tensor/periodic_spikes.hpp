#pragma once
// Spike trains that repeat: neuron n of a (steps x width) 0/1 tensor spikes at the steps t with
// (t + 1) % period[n] == 0, and a neuron not listed never spikes. This is what a spiking scan
// makes of an input that is the same at every step when each spike resets the neuron to the
// state it started from (the constant-current LIF encoder: v_reset = v_leak = v0, i0 = 0): the
// state after the first spike, at step p - 1, is the initial state bit for bit, so steps p ..
// 2p - 1 repeat steps 0 .. p - 1 exactly. constant_input_spikes checks that equality for every
// neuron before it returns this form (current_scan.cpp).
//
// Why a form of its own: an MNIST batch (256 x 784 pixels, T 32) has 128 k input spikes but only
// about 50 k spiking pixels, each with one period. The input projection sums, per image, W^T's
// rows per period once and then adds those sums at the steps each period divides; its weight
// gradient sums dL/dout's rows at each period's steps once per image and adds that to each
// pixel of the period (periodic_matmul.hpp). Both read a few hundred rows per image instead of
// 500 gathered spikes; the encoder finds each pixel's first spike and stops (no per-step lists).
#include <cstdint>
#include <vector>

namespace soma {

struct PeriodicSpikes {
  int64_t steps = 0, width = 0;
  std::vector<int32_t> neuron;   // ascending, each < width
  std::vector<uint16_t> period;  // per listed neuron, in [1, steps]
};

// The most steps the form holds (periods are 16-bit).
constexpr int64_t kMaxPeriodicSteps = 65535;

// Throws std::invalid_argument unless s is well formed (sizes, order, ranges).
void check_periodic_spikes(const PeriodicSpikes& s);

// How many spikes: the sum over neurons of floor(steps / period).
int64_t periodic_spike_count(const PeriodicSpikes& s);

// The flat indices t * width + n of the spikes, ascending (Storage::SpikeIndex's order).
std::vector<int64_t> periodic_flat_index(const PeriodicSpikes& s);

// Writes the 0/1 values into dense (steps x width floats).
void write_periodic_spikes(const PeriodicSpikes& s, float* dense);

}  // namespace soma
