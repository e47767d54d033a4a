#pragma once
// A spiking layer driven by the same current at every step, followed by a 2 x 2 max-pool, as
// one autograd node: ConvNet4's conv1 -> LIF -> max-pool on an image fed as a current (mnist
// --encoder current). Equal to
//
//   max_pool_sequence(current_scan(stack(T copies of x)).z, 2)
//
// (the same spikes, bit for bit, at every kernel level; the gradient of x sums the steps in the
// same order), without ever holding T copies of anything: each (b, c) plane of x runs its whole
// scan in a buffer that stays in L2, and only the pooled spikes leave it.
//
//   forward   per plane: the scan over T steps of the constant x (the spikes z as bits; v, i
//             in place), z pooled over 2 x 2 windows (max of 0/1 = any spike). The first tap of
//             the window (row-major) holding the maximum is the one max_pool2d's backward picks.
//   backward  per plane: the forward again, now keeping the pre-reset voltage, the pooled
//             gradient scattered onto those taps, the reverse scan, and dL/dx = sum over t of
//             the current gradient. Recomputing costs one scan; saving v_dec would write and
//             read 4 bytes per neuron-step (38 MB for ConvNet4's conv1 per batch).
//
// Memory traffic per batch of ConvNet4 (T 16, B 32, 32 x 24 x 24 neurons, 9.4 M neuron-steps):
// before, the repeat, z, v_dec, the pool's input gradient and the scan's current gradient each
// wrote 38 MB (and the pool a 9 MB argmax); now only the pooled spikes (9.4 MB) and their
// gradient. conv1's shape (32 images, 32 x 24 x 24, T 16, 29% of the pooled outputs spike),
// one thread, AMD EPYC (AVX-512, shared, busy; thread CPU time): forward 4.9-6.0 ms against
// 21.8-26.4 ms for the repeat + scan + pool, backward 12.3-13.6 ms against 20.2-22.4 ms (the
// backward's scatter onto the picked taps was 14 ms alone with branches, 2.4-3.4 with selects).
// Then the plane's scan with its state in registers over all steps and its spikes as bits,
// pooled and unpooled on the bits (IsaKernels::constant_pool_scan, constant_pool_unpool): no
// T-fold copy of the current, no z in floats, no stride-2 scalar loops. Same shape, one thread,
// AMD EPYC (Zen 5, AVX-512; best of 30, thread CPU time): forward 4.15 -> 2.7-2.8 ms, backward
// 10.0 -> 7.4 ms at v4; 4.2 -> 3.7 ms and 39.0 -> 36.7 ms at v3, whose reverse scan
// (scan_backward_range) takes 33 ms of that (1.7 ms at v4).
// The whole epoch: bench/mnist_epoch.cpp.
//
// On the GPU: one thread per 2 x 2 window with its four neurons' state in registers
// (core/backend/cuda/constant_pool_body.hpp).
//
// Rows or columns left over by an odd height or width feed no window: their spikes are
// computed and dropped, and they get no gradient (as max_pool2d without padding). H and W must
// be at least 2.
#include "core/neuron/current_scan.hpp"

namespace soma {

struct PooledScanResult {
  Tensor pooled;  // (T, B, C, H / 2, W / 2) the max-pooled spikes
  Tensor v, i;    // (B, C, H, W) the final state (no gradient)
  Tensor z;       // (T, B, C, H, W) the unpooled spikes, only when asked for
};

// x (B, C, H, W) is the current at each of `steps` steps; (v0, i0) (B, C, H, W) the initial
// state, treated as constants. c must spike. Gradients flow to x only.
PooledScanResult constant_current_pool_scan(const Tensor& x, int64_t steps, const Tensor& v0,
                                            const Tensor& i0, const CurrentScanConfig& c,
                                            bool keep_spikes = false);

}  // namespace soma
