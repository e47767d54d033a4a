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
//
// Floor, bench_lif_layer inference (x: T = 1000, B = 32, N = 1000 spikes at p = 0.03, 128 MB of
// floats; z 128 MB): reading x and writing z is 256 MB of memory traffic (8-15 ms on the AMD
// EPYC, loaded), the product 0.03 T B N^2 = 0.96 G adds whose W^T rows come from L2 (~20 ms of
// one core). Measured there (AMD EPYC, AVX-512, 2 cores, a VM shared with builds), sparse layer
// time and gemm/sparse (the GEMM x W^T alone over the sparse layer, timed in the same run),
// before (spike_matmul blocks, then the scan) and after, runs alternated:
//                  before                after
//   v4, 1 thread   0.119 s   3.4x        0.045 s   8.6x     (other runs: 3.5-3.6x, 8.3-9.1x)
//   v4, 2 threads  0.123 s   3.6x        0.069 s   6.2x     (2.4-3.3x, 6.2-7.0x; unloaded:
//                                                             0.032 s against a 0.215 s GEMM)
//   v3, 1 thread   0.330 s   2.2x        0.072 s   9.8x     (2.1-2.8x, 7.6-9.6x)
//   v3, 2 threads  0.186 s   2.5x        0.077 s   9.4x     (1.8-2.6x, 8.1-9.0x)
// Of the 0.09 s before (one thread, v4, CPU time): spike detection 25 ms (now 5 ms: put_lanes
// and no budget-sized buffer, spike_matmul.cpp), product and scan the rest.
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
