#pragma once
// The fused time scan shared by the current-based leaky models. LIF, LIF-box, LI and LI-box
// are one recurrence with two switches: whether the neuron spikes, and how much synaptic
// current survives a step (keep_i = 1 - dt tau_syn_inv; 0 for the box models, whose input
// acts directly on v). See lif.hpp for the equations.
#include "core/backend/cuda_ops.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/scan_config.hpp"

namespace soma {

CurrentScanConfig lif_scan_config(const LIFParameters& p, bool box, bool spiking);

struct CurrentScanResult {
  Tensor z;      // (T, ...) spikes; undefined for non-spiking models
  Tensor v, i;   // final state
  Tensor trace;  // (T, ...) voltage after reset; always for non-spiking models
};

// The synaptic current after every step, i_t = (i_{t-1} + x_t) keep_i, for record_states of the
// models whose current does not depend on v (LIF, LI, LIFMC): one fused node, with gradients to
// x and i0.
Tensor synaptic_current_trace(const Tensor& x, const Tensor& i0, float keep_i);

// Runs all T steps of x (T, ...) from (v0, i0) as ONE autograd node. Saves only the
// pre-reset voltage (4 bytes per neuron-step) for the backward, which is a reverse scan.
CurrentScanResult current_scan(const Tensor& x, const Tensor& v0, const Tensor& i0,
                               const CurrentScanConfig& c, bool record_trace);

// The spikes (T, ...) of a spiking scan whose input is x (...) at each of `steps` steps, from
// (v0, i0); no gradient (the constant-current encoders). The same spikes as current_scan on x
// repeated T times, without materialising the repeat. The result carries its spike index and
// writes its values only when they are read (Tensor::from_spike_index).
Tensor constant_input_spikes(const Tensor& x, int64_t steps, const Tensor& v0, const Tensor& i0,
                             const CurrentScanConfig& c);

// The raw kernels, for fused layers (ff_layer.hpp) that feed the scan a block of time steps at
// a time (the types are in scan_config.hpp).
// Advances (v, i) in place over the steps of x. z: spikes (spiking models); v_dec: pre-reset
// voltage, saved for the backward (may be null when no backward follows); trace: voltage after
// reset (may be null).
void scan_forward(const CurrentScanConfig& c, ScanExtent e, const float* x, float* v, float* i,
                  float* z, float* v_dec, float* trace);

// The same on neurons [k0, k1) only, in the calling thread: for a layer whose threads each own
// a slice of the neurons for the whole sequence.
void scan_forward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                        const float* x, float* v, float* i, float* z, float* v_dec, float* trace);

// One step of a spiking scan on rows x cols neurons (row-major), as scan_forward_range, that
// also lists the spikes: row r's columns, ascending, end at out[row_end[r]]; out has room for
// rows * cols + 16 entries. Returns how many spikes. For the recurrent layers (cell_scan.hpp).
int64_t scan_step_spikes(const CurrentScanConfig& c, int64_t rows, int64_t cols, const float* x,
                         float* v, float* i, float* z, float* v_dec, int64_t* row_end,
                         int32_t* out);

// The CUDA kernels' parameters (cuda_ops.hpp) for this scan over e: the one mapping from a
// CurrentScanConfig, also used by the recurrent layer's kernels and the kernel-body tests.
cuda::LeakyScanParams leaky_scan_params(const CurrentScanConfig& c, ScanExtent e);

// The exact adjoint of scan_forward, walking the steps backwards, with the surrogate in place
// of H'. v_dec is what scan_forward saved for these steps.
void scan_backward(const CurrentScanConfig& c, ScanExtent e, const float* v_dec, ScanGrads g);

// The same on neurons [k0, k1) only, in the calling thread. detach_reset: no gradient through
// the reset term (Norse's recurrent LIF; its one step per call comes from lif_recurrent.cpp).
void scan_backward_range(const CurrentScanConfig& c, ScanExtent e, int64_t k0, int64_t k1,
                         const float* v_dec, ScanGrads g, bool detach_reset = false);

}  // namespace soma
