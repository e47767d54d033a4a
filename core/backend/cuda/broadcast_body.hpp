#pragma once
// Broadcasting binary ops and the reduction of their gradients: the bodies of broadcast.cu's
// kernels, one thread per output element. Shapes are padded on the left to kBroadcastDims;
// a flat index k decodes row-major into (d_0, ..., d_4) and the inputs' offsets are
// sum_d d_d stride_d, with stride 0 along a broadcast dimension (the plans come from
// broadcast_plan.hpp, which uses the CPU's BroadcastIndexer).
//   forward:  out[k] = a[ia(k)] op b[ib(k)]                       (elementwise_body.hpp's op)
//   sum_to:   out[o] = sum_r g[base(o) + off(r)], r over the reduced dimensions in row-major
//             order, accumulated in float from 0: the CPU's sum_to adds g's elements in flat
//             order into their output, which is the same order per output, so the two agree
//             bit for bit.
// One thread per output suits the speech model's (T, B, F) -> (F) (80 threads of ~1300 adds);
// a reduction to very few outputs is serial, as the lane sums of reduce.cu.
#include "core/backend/cuda/elementwise_body.hpp"
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// The offset of flat index `flat` over dims (size, stride), row-major.
SOMA_HD inline int64_t decode_offset(int dims, const int64_t* size, const int64_t* stride,
                                     int64_t flat) {
  int64_t off = 0;
  for (int d = dims - 1; d >= 0; --d) {
    off += (flat % size[d]) * stride[d];
    flat /= size[d];
  }
  return off;
}

SOMA_HD inline void broadcast_element(BinaryOp op, const BroadcastPlan& p, const float* a,
                                      const float* b, float* out, int64_t k) {
  int64_t ia = 0, ib = 0, flat = k;
  for (int d = kBroadcastDims - 1; d >= 0; --d) {
    const int64_t at = flat % p.size[d];
    flat /= p.size[d];
    ia += at * p.a_stride[d];
    ib += at * p.b_stride[d];
  }
  out[k] = apply_binary(op, a[ia], b[ib]);
}

SOMA_HD inline void sum_to_element(const SumToPlan& p, const float* g, float* out, int64_t o) {
  const float* base = g + decode_offset(p.kept, p.kept_size, p.kept_stride, o);
  float acc = 0.0f;
  for (int64_t r = 0; r < p.reduced_numel; ++r)
    acc += base[decode_offset(p.reduced, p.reduced_size, p.reduced_stride, r)];
  out[o] = acc;
}

}  // namespace soma::cuda
