#include "core/ops/shape_ops.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"

namespace soma {

namespace {
// A tensor sharing x's storage under another shape, offset by `offset` elements.
Tensor view_of(const Tensor& x, Shape shape, int64_t offset = 0) {
  Tensor v = x.detach();
  v.impl()->shape = std::move(shape);
  v.impl()->offset += offset;
  return v;
}

Shape infer_shape(Shape shape, int64_t numel, const Shape& from) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw std::invalid_argument("reshape: only one dimension can be -1");
      infer = int64_t(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known > 0 && numel % known == 0) shape[size_t(infer)] = numel / known;
  if (numel_of(shape) != numel || shape.size() > size_t(kMaxDims))
    throw std::invalid_argument("reshape: cannot view " + to_string(from) + " as " +
                                to_string(shape));
  return shape;
}
}  // namespace

Tensor reshape(const Tensor& x, Shape shape) {
  Shape from = x.shape();
  shape = infer_shape(std::move(shape), x.numel(), from);
  return record("reshape", view_of(x, shape), {x},
                [from](const Tensor& g) { return Tensors{view_of(g, from)}; });
}

Tensor flatten(const Tensor& x, int start_dim, int end_dim) {
  if (x.dim() == 0) return reshape(x, {1});
  int s = normalize_dim(start_dim, x.dim()), e = normalize_dim(end_dim, x.dim());
  Shape shape(x.shape().begin(), x.shape().begin() + s);
  int64_t n = 1;
  for (int i = s; i <= e; ++i) n *= x.shape()[size_t(i)];
  shape.push_back(n);
  shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor unsqueeze(const Tensor& x, int dim) {
  Shape shape = x.shape();
  int d = normalize_dim(dim, x.dim() + 1);
  shape.insert(shape.begin() + d, 1);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, int dim) {
  Shape shape = x.shape();
  int d = normalize_dim(dim, x.dim());
  if (shape[size_t(d)] != 1)
    throw std::invalid_argument("squeeze: dimension " + std::to_string(dim) + " of " +
                                to_string(x.shape()) + " is not 1");
  shape.erase(shape.begin() + d);
  return reshape(x, shape);
}

}  // namespace soma
