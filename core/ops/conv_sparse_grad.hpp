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
// Per image the non-zeros become one 64-bit mask of output channels per output pixel, and the
// kernel (IsaKernels::conv_sparse_input_grad) accumulates 64 input channels of one input pixel
// in registers from rows of W laid out as (Cout, kh, kw, Cin). The sums run in another order
// than the GEMM's: results agree to rounding, not bit for bit.
#include "core/ops/conv_kernels.hpp"

namespace soma {

// Above this share of non-zeros in dL/dout the dense GEMM is as fast. ConvNet4's conv2 (512
// images, 64 x 8 x 8 -> 32 x 12 x 12, 5 x 5), non-zeros at random, one thread, AMD EPYC
// (AVX-512, shared; thread CPU time): sparse 19-23 / 24-25 / 34-35 / 43 ms at 20 / 30 / 50 /
// 100% non-zeros against 31-33 ms for conv_backward. About 14 ms of the sparse time is fixed
// (masks, a branch per tap and pixel, transposes), the rest 29 ms per unit of density.
// bench_mnist_epoch --model conv: see bench/mnist_epoch.cpp.
constexpr double kSparseGradDensity = 0.35;

// gx (zero-filled by the caller) += dL/dx for the g.n images of gout, when at most max_density
// of gout is non-zero; returns false (gx untouched) otherwise.
bool conv_input_grad_sparse(const ConvGeom& g, const float* w, const float* gout, float* gx,
                            double max_density = kSparseGradDensity);

}  // namespace soma
