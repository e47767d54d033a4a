#pragma once
// A convolution's input gradient from a sparse output gradient. Behind a spiking layer that is
// max-pooled (ConvNet4's conv2 -> LIF -> pool), dL/dout is zero wherever a neuron was never
// the window's pick from that step on: 66-84% of conv2's current gradient in a training run.
// The dense path (conv_backward: per image W^T (K x Cout) times dL/dout (Cout x L), then
// col2im) spends K Cout multiply-adds on every output pixel; this one only on the non-zeros:
//
//   dL/dx[c, ih, iw] = sum over taps (ki, kj) with o = ((ih + pad - ki) / s, (iw + pad - kj) / s)
//                      an output pixel, and over the non-zero dL/dout[co, o], of
//                      dL/dout[co, o] W[co, c, ki, kj]
//
// Per image the non-zeros become one 64-bit mask of output channels per output pixel (a row of
// bits per channel, then 64 x 64 bit transposes). The kernel (IsaKernels::conv_sparse_input_grad)
// lists each output pixel's non-zero g[co] and sums g[co] W[co, :, :, :] (W laid out as (Cout,
// kh, kw, cp), a row of kh kw cp floats) in register passes of native vectors, then adds the
// pixel's sum onto the input pixels its taps read. The sums run in another order than the
// GEMM's: results agree to rounding, not bit for bit.
// Images of the same batch row at consecutive steps go as a group (group_gap): the reverse scan
// carries a neuron's gradient to every earlier step, so their non-zeros nest, and over the union
// of their lists each row of W loaded (204 KB for conv2, from L2) feeds one multiply-add per
// image: 4 images in passes of 6 vectors at AVX-512, 2 in passes of 6 at AVX2. ConvNet4
// training (bench_mnist_epoch --model conv --quick, 24-29% non-zeros): pairs hold 1.5% more
// terms than their images, quadruples 4%. Per step (512 images), one thread, AMD EPYC (Zen 5,
// AVX-512, shared, thread CPU time, 2 runs each): 20.0 -> 14.0-14.6 ms with pairs (of which the
// masks bit by bit were 2.2 ms) -> 10.4 ms with quadruples.
// Before, tap by tap with 64 input channels of one input pixel in registers (2 multiply-adds
// per term for conv2's 32 channels), the mask loop and a mispredicted exit per tap and pixel
// bounded it; at v3 its 16-float accumulators went through the stack. ConvNet4's conv2, 512
// images, 25% non-zeros at random, one thread, AMD EPYC (AVX-512, shared, busy; thread CPU
// time): v4 34.5 -> 25-29.5 ms (dense conv_backward 32-44 ms), v3 389-645 -> 25-50 ms.
#include "core/ops/conv_kernels.hpp"

namespace soma {

// Above this share of non-zeros in dL/dout the dense GEMM is as fast. ConvNet4's conv2 (512
// images, 64 x 8 x 8 -> 32 x 12 x 12, 5 x 5), non-zeros at random, one thread, AMD EPYC
// (AVX-512, shared; thread CPU time), this kernel: 18.7 / 30.6 / 40.2 ms at 20 / 35 / 50%
// non-zeros against 33 ms for conv_backward at v4; 25.3 / 35.3 / 50.6 against 47-56 ms at v3.
// bench_mnist_epoch --model conv: see bench/mnist_epoch.cpp.
constexpr double kSparseGradDensity = 0.35;

// gx = dL/dx for the g.n images of gout (gx's contents are overwritten, need not be zero), when
// at most max_density of gout is non-zero; returns false (gx untouched) otherwise. group_gap > 0:
// images i, i + group_gap, i + 2 group_gap, i + 3 group_gap (the same batch row at consecutive
// steps, for images ordered (t, b) and group_gap = B) have nested non-zeros and are summed as a
// group, for i in [0, gap), [4 gap, 5 gap), ... (fewer at the end).
bool conv_input_grad_sparse(const ConvGeom& g, const float* w, const float* gout, float* gx,
                            double max_density = kSparseGradDensity, int64_t group_gap = 0);

}  // namespace soma
