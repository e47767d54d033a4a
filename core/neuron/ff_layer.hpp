#pragma once
// Feed-forward spiking layers as ONE autograd node: synapses (Linear or Conv2d) followed by a
// current-based neuron (LIF, LIF-box, LI, LI-box: see current_scan.hpp), over all T steps.
//
//   currents  I[t] = W x[t] + b            (a GEMM, or sparse row sums for spike input)
//   neurons   (z[t], v, i) = scan(I[t], v, i)
//
// Forward: the T steps are cut into blocks of whole steps (dense input: 8192 rows of steps x
// batch, a full-speed GEMM; spike input with batch 1: ~2^18 output floats, so the block stays
// in L2); each block's currents are computed, then the scan advances the state over the block.
// The currents of all T steps never exist at once: one block buffer is reused. With spike input
// and a batch each thread owns a slice of the batch for the whole sequence, and the product and
// the scan are one kernel (core/backend/spike_scan.hpp) whose currents stay in registers: no
// buffer, and the threads never wait for each other.
// Backward: one reverse scan over the same blocks; each block's current gradient feeds the
// weight-gradient GEMM (accumulated) and the input-gradient GEMM, then the buffer is reused.
//
// Memory per neuron-step (out features x T x batch):
//   output        4 bytes: z (or the trace for LI), which the caller keeps
//   saved         4 bytes: the pre-reset voltage, spiking models with a backward only; spikes
//                 and surrogate are recomputed from it (z = v_dec > v_th). LI saves nothing.
//   input         dense x stays referenced for the weight gradient; a spike input is kept only
//                 as its spike indices (4 bytes per spike), not as floats
//   transient     one block of currents (forward) or current gradients (backward)
// Measured (bench_lif_layer, Linear 1024 -> LIF, T 500, B 16, loss = sum z): peak live tensor
// storage 2.5x (x + W + 4 bytes per neuron-step); the extra is z, its gradient from sum() and
// one block buffer. linear + lif_sequence: 2.9x.
//
// Sparse input: when x holds only 0 and 1 and at most max_spike_density of it is 1, the
// currents are sums of the rows of W^T picked by the active inputs, and the weight gradient is
// the matching scatter (core/backend/spike_matmul.hpp). Checked on the whole input each call.
#include "core/backend/spike_matmul.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/ops/conv.hpp"

namespace soma {

struct FFLayerOptions {
  // 0 = always dense, 1 = sparse if binary; on the GPU, inference only and capped at the GEMM's
  // crossover (cuda_spike_linear.hpp).
  double max_spike_density = kSpikeDensityThreshold;
  int64_t chunk_rows = 0;  // rows (steps x batch) per block; 0 = automatic
};

// x (T, ..., in), weight (out, in), bias (out) or undefined, state (..., out).
// Returns z (T, ..., out) for spiking models, the final state, and the trace (voltage after
// reset, (T, ..., out)) when record_trace or for non-spiking models.
CurrentScanResult linear_neuron_sequence(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                         const LIFState& state, const CurrentScanConfig& c,
                                         bool record_trace = false, FFLayerOptions opt = {});

// x (T, B, Cin, H, W), weight (Cout, Cin, kH, kW), bias (Cout) or undefined,
// state (B, Cout, OH, OW). The convolution of conv2d (im2col + GEMM), block by block; spike
// input takes conv_spikes.hpp's path, and then a sparse current gradient conv_sparse_grad.hpp's.
CurrentScanResult conv_neuron_sequence(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                       const LIFState& state, const CurrentScanConfig& c,
                                       Conv2dOptions conv = {}, bool record_trace = false,
                                       FFLayerOptions opt = {});

}  // namespace soma
