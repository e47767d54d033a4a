#pragma once
// LIF-box: a LIF neuron without a synaptic current; the input acts on v directly (Norse's
// LIFBox):  v~ = v + dt tau_mem_inv (x + v_leak - v),  z = H(v~ - v_th),  then reset.
// It is the current scan with no current carried over (keep_i = 0). Defaults as the LIF
// (tau_syn_inv is not used). Initial state: v = v_leak.
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif.hpp"

namespace soma {

struct LIFBoxParameters : LIFParameters {};

// The scan configuration of LIF-box, for the fused layers (ff_layer.hpp).
CurrentScanConfig lif_box_scan_config(const LIFBoxParameters& p);

VoltageState lif_box_initial_state(const Shape& shape, const LIFBoxParameters& p);

struct LIFBoxStep {
  Tensor z, v;
};

LIFBoxStep lif_box_step(const Tensor& x, const Tensor& v, const LIFBoxParameters& p);

struct LIFBoxSequence {
  Tensor z, v;   // (T, ...) spikes; final voltage
  Tensor trace;  // (T, ...) voltage after reset, only with record_states
};

LIFBoxSequence lif_box_sequence(const Tensor& x, const Tensor& v0, const LIFBoxParameters& p,
                                bool record_states = false);

struct LIFBoxModel {
  using Parameters = LIFBoxParameters;
  using State = VoltageState;
  static constexpr auto initial_state = &lif_box_initial_state;
  static Sequence<VoltageState> sequence(const Tensor& x, const VoltageState& s0,
                                         const LIFBoxParameters& p, bool record_states);
};

namespace nn {
using LIFBox = NeuronLayer<LIFBoxModel>;
}

}  // namespace soma
