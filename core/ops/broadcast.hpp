#pragma once
// Index mapping for broadcasting: strides of an input within the output's index space, with
// 0 on dimensions the input is broadcast along.
#include <array>

#include "core/tensor/shape.hpp"

namespace soma {

struct BroadcastIndexer {
  // Both shapes padded on the left to kMaxDims.
  std::array<int64_t, kMaxDims> out_shape{}, stride_a{}, stride_b{};
  BroadcastIndexer(const Shape& out, const Shape& a, const Shape& b);
  // Calls f(i, ia, ib) for every flat output index i and its flat input offsets.
  template <class F>
  void for_each(F&& f) const {
    int64_t i = 0;
    for (int64_t d0 = 0; d0 < out_shape[0]; ++d0)
      for (int64_t d1 = 0; d1 < out_shape[1]; ++d1)
        for (int64_t d2 = 0; d2 < out_shape[2]; ++d2)
          for (int64_t d3 = 0; d3 < out_shape[3]; ++d3) {
            int64_t ia = d0 * stride_a[0] + d1 * stride_a[1] + d2 * stride_a[2] + d3 * stride_a[3];
            int64_t ib = d0 * stride_b[0] + d1 * stride_b[1] + d2 * stride_b[2] + d3 * stride_b[3];
            for (int64_t d4 = 0; d4 < out_shape[4]; ++d4, ++i)
              f(i, ia + d4 * stride_a[4], ib + d4 * stride_b[4]);
          }
  }
};

}  // namespace soma
