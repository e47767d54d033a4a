#include "core/ops/broadcast.hpp"

namespace soma {

namespace {
std::array<int64_t, kMaxDims> padded_strides(const Shape& shape, const Shape& out) {
  std::array<int64_t, kMaxDims> st{};
  Shape own = strides_of(shape);
  size_t lead = out.size() - shape.size(), pad = kMaxDims - out.size();
  for (size_t i = 0; i < shape.size(); ++i)
    st[pad + lead + i] = shape[i] == 1 && out[lead + i] != 1 ? 0 : own[i];
  return st;
}
}  // namespace

BroadcastIndexer::BroadcastIndexer(const Shape& out, const Shape& a, const Shape& b) {
  out_shape.fill(1);
  for (size_t i = 0; i < out.size(); ++i) out_shape[kMaxDims - out.size() + i] = out[i];
  stride_a = padded_strides(a, out);
  stride_b = padded_strides(b, out);
}

}  // namespace soma
