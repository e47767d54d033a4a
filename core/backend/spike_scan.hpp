#pragma once
// Sparse inference: the spike product of spike_matmul.hpp fused with the current-based neuron
// scan (current_scan.hpp), for linear_neuron_sequence on spike input (core/neuron/ff_layer.hpp).
//
//   cur[t, b] = bias + W x[t, b]      (the rows of W^T picked by x[t, b]'s active inputs)
//   (z[t, b], v[b], i[b]) = scan(cur[t, b], v[b], i[b])
//
// computed one output tile (64 columns at AVX-512, 32 below) at a time, all steps of a batch
// row with the tile's state and current in registers (kernels_isa.inl, spike_product_scan): the
// currents never go to memory, the state is read and written once, and big outputs are stored
// past the caches. Each lane's arithmetic is scan_forward's on spike_matmul's sums, so the
// outputs are bit-identical to spike_matmul + scan_forward_range.
#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/spike_matmul.hpp"

namespace soma {

// Rows r.first + t * r.stride + b of s (t < r.steps, b < r.width), single-threaded: v, i point
// at the state of batch row 0 of the slice (width x n); z, v_dec, trace (each may be null) at
// output row `first`, output row (t, b) lying at (t * stride + b) * n. W (n x cols) was packed
// by pack_spike_weights; bias has n floats or is null.
void spike_product_scan(const CurrentScanConfig& c, const SpikeRows& s, SpikeScanRows r,
                        int64_t cols, const float* packed, const float* bias, int64_t n, float* v,
                        float* i, float* z, float* v_dec, float* trace);

}  // namespace soma
