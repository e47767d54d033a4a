#pragma once
// Host side of the broadcasting kernels (broadcast_body.hpp): the plans from the shapes, made
// with the CPU's BroadcastIndexer so both walk the same index space. Host code only (the CUDA
// ops in core/ops/cuda_broadcast.cpp and the CPU tests of the bodies).
#include <stdexcept>

#include "core/backend/cuda_ops.hpp"
#include "core/ops/broadcast.hpp"

namespace soma::cuda {

static_assert(kBroadcastDims == kMaxDims, "the device plans pad shapes as BroadcastIndexer");

// out = a op b over the broadcast shape `out`.
inline BroadcastPlan broadcast_plan(const Shape& out, const Shape& a, const Shape& b) {
  const BroadcastIndexer ix(out, a, b);
  BroadcastPlan p{numel_of(out), {}, {}, {}};
  for (int d = 0; d < kMaxDims; ++d) {
    p.size[d] = ix.out_shape[size_t(d)];
    p.a_stride[d] = ix.stride_a[size_t(d)];
    p.b_stride[d] = ix.stride_b[size_t(d)];
  }
  return p;
}

// g (shape `from`) summed down to `to`, a shape that broadcasts to `from`. Dimensions of size 1
// in `from` are neither kept nor reduced (they add nothing to an offset).
inline SumToPlan sum_to_plan(const Shape& from, const Shape& to) {
  if (to.size() > from.size())
    throw std::invalid_argument("sum_to: " + to_string(to) + " does not broadcast to " +
                                to_string(from));
  const BroadcastIndexer target(from, to, to), own(from, from, from);
  SumToPlan p{numel_of(to), 1, 0, 0, {}, {}, {}, {}};
  for (int d = 0; d < kMaxDims; ++d) {
    const int64_t size = target.out_shape[size_t(d)], g_stride = own.stride_a[size_t(d)];
    if (size == 1) continue;
    if (target.stride_a[size_t(d)] != 0) {
      p.kept_size[p.kept] = size;
      p.kept_stride[p.kept++] = g_stride;
    } else {
      p.reduced_size[p.reduced] = size;
      p.reduced_stride[p.reduced++] = g_stride;
      p.reduced_numel *= size;
    }
  }
  return p;
}

}  // namespace soma::cuda
