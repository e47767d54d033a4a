#pragma once
// Convolutions of spike images (0/1 at low density): conv2 of ConvNet4 sees the spikes of conv1
// after max-pooling, 10-13% of them active. Each active input pixel (c, ih, iw) adds, for every
// output pixel (o, q) it reaches, the column W[:, c, ki, kj] of its tap to out[:, o, q]:
//   out[:, o, q] = b + sum over active (c, ih, iw) with ki = ih + pad - o s, kj = iw + pad - q s
//                  in the kernel of W[:, c, ki, kj]
// and the weight gradient is the same sum with the roles swapped:
//   dL/dW[:, c, ki, kj] = sum over the same (spike, output pixel) pairs of dL/dout[:, o, q].
// At density p that is p K L Cout adds per image where im2col + GEMM does K L Cout multiply-adds
// and copies the K x L column matrix. The input gradient is not a spike sum; behind a max-pool
// its output gradient is mostly zeros, and conv_sparse_grad.hpp uses that.
// Per image the spikes become bit masks over the padded rows (so w + 2 pad <= 64), and the
// kernels (IsaKernels::conv_spike_forward, conv_spike_wgrad) gather rows of W^T (K x Cout) or
// dL/dout^T (L x Cout) into each output row: images are transposed in and out.
// ConvNet4's conv2 (32 x 12 x 12 -> 64 x 8 x 8, 5 x 5, input 14.5% dense), 256 images, one
// thread, AMD EPYC (AVX-512, shared): forward 9-11 ms against 17-22 ms for im2col + GEMM,
// weight gradient 8-9 ms against 16-17 ms; 1.7-3.3 ms of each is the per-image setup (masks,
// transposes) that an input without spikes still pays. bench_mnist_epoch --model conv, one
// thread: 207-226 -> 169-183 ms per step, soma / floor 1.59-1.87 -> 1.41-1.48.
// Then (512 images, 13% of the input active, one thread, busy machine, thread CPU time): the
// gathers in native vectors (at v3 GCC 12 had kept 16-float accumulators on the stack: forward
// 48.5 -> 16.8 ms, weight gradient 46.7 -> 15.7 ms at v3, against 51-70 and 59-95 ms for
// im2col + GEMM) and the masks from a table of pixel places (no divisions per spike: v4 forward
// 17.1 -> 15.5 ms, weight gradient 14.9 -> 13.2 ms, against 35-37 and 43-46 ms dense).
// Then 128-bit masks (conv_spikes_wide_isa.inl): the forward's over two groups of channels, from
// one packed word of kh rows per channel and output row (W^T rows at conv_tap_slot), the weight
// gradient's over two images (L <= 64): half the gathers, each with its destination's load and
// store and a mispredicted exit. 512 images of conv2 at 14% density, one thread, AMD EPYC (Zen
// 5; best of 15, thread CPU time, 2 runs each): forward 15.2-15.3 -> 12.7-12.9 ms, weight
// gradient 12.4-12.6 -> 11.6-11.8 ms at v4; 14.2-14.4 -> 13.4 and 12.7-12.8 -> 12.9-13.0 at v3.
// With the lowest set bit of the 128 taken without a branch between the words (GCC had
// branched: a second mispredict per gather): forward 11.2-11.7 ms, weight gradient 10.2-10.9 ms
// at v4; 11.0-11.5 and 11.5-12.1 ms at v3. (Reading one vector of each row instead of four
// measured the same: the loop's control bounds these kernels, not their loads.) The weight
// gradient's masks of a kernel row at once at v4 (tap_pixels_row): 10.3 -> 8.5 ms.
#include "core/backend/spike_matmul.hpp"
#include "core/ops/conv_kernels.hpp"

namespace soma {

// The active pixels of images [0, g.n) of x, one CSR row per image (index (c * h + ih) * w + iw);
// false when x is not 0/1, denser than kSpikeDensityThreshold or wider than 64 padded columns
// (the dense path runs then).
bool conv_spike_images(const ConvGeom& g, const float* x, SpikeRows& s);

// conv_forward for the images first + [0, g.n) of s: out = conv(x, w) + b (b may be null).
void conv_forward_spikes(const ConvGeom& g, const SpikeRows& s, int64_t first, const float* w,
                         const float* b, float* out);
// gw += dL/dw for the same images, summed image by image in order (results do not depend on the
// thread count).
void conv_weight_grad_spikes(const ConvGeom& g, const SpikeRows& s, int64_t first,
                             const float* gout, float* gw);

}  // namespace soma
