#include "core/ops/reduce.hpp"

#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/cuda_reduce_loss.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

namespace {

// A tensor seen as (outer, n, inner) around the reduced dimension.
struct Split {
  int64_t outer = 1, n = 1, inner = 1;
  Shape reduced;  // the output shape
};

Split split_at(const Shape& shape, int dim, bool keepdim) {
  Split s;
  int d = normalize_dim(dim, int(shape.size()));
  for (int i = 0; i < int(shape.size()); ++i) {
    if (i < d) s.outer *= shape[size_t(i)];
    if (i > d) s.inner *= shape[size_t(i)];
    if (i != d || keepdim) s.reduced.push_back(i == d ? 1 : shape[size_t(i)]);
  }
  s.n = shape[size_t(d)];
  return s;
}

// Spreads g (the reduced shape) back over the reduced dimension, scaled.
Tensor expand_back(const Tensor& g, const Shape& shape, const Split& s, float scale) {
  Tensor out = Tensor::uninitialized(shape);  // every element written below
  const float* pg = g.data();
  float* o = out.data();
  for (int64_t a = 0; a < s.outer; ++a)
    for (int64_t j = 0; j < s.n; ++j)
      for (int64_t b = 0; b < s.inner; ++b)
        o[(a * s.n + j) * s.inner + b] = scale * pg[a * s.inner + b];
  return out;
}

// Index along the reduced dimension of the first maximum, for each (outer, inner).
std::vector<int64_t> argmax_indices(const Tensor& x, const Split& s) {
  std::vector<int64_t> idx(size_t(s.outer * s.inner), 0);
  const float* p = x.data();
  for (int64_t a = 0; a < s.outer; ++a)
    for (int64_t b = 0; b < s.inner; ++b) {
      const float* row = p + a * s.n * s.inner + b;
      int64_t arg = 0;
      for (int64_t j = 1; j < s.n; ++j)
        if (row[j * s.inner] > row[arg * s.inner]) arg = j;
      idx[size_t(a * s.inner + b)] = arg;
    }
  return idx;
}

}  // namespace

Tensor sum(const Tensor& x) {
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::sum(x);
#endif
  require_cpu("sum", x);
  Shape shape = x.shape();
  Tensor out = Tensor::scalar(float(x.array().cast<double>().sum()));
  return record("sum", out, {x},
                [shape](const Tensor& g) { return Tensors{Tensor::full(shape, g.item())}; });
}

Tensor sum(const Tensor& x, int dim, bool keepdim) {
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::sum(x, dim, keepdim);
#endif
  require_cpu("sum", x);
  Split s = split_at(x.shape(), dim, keepdim);
  Tensor out = Tensor::zeros(s.reduced);
  const float* p = x.data();
  float* o = out.data();
  for (int64_t a = 0; a < s.outer; ++a)
    for (int64_t j = 0; j < s.n; ++j)
      for (int64_t b = 0; b < s.inner; ++b) o[a * s.inner + b] += p[(a * s.n + j) * s.inner + b];
  Shape shape = x.shape();
  return record("sum_dim", out, {x},
                [shape, s](const Tensor& g) { return Tensors{expand_back(g, shape, s, 1.0f)}; });
}

Tensor mean(const Tensor& x) {
  return mul(sum(x), 1.0f / float(x.numel()));
}

Tensor mean(const Tensor& x, int dim, bool keepdim) {
  return mul(sum(x, dim, keepdim), 1.0f / float(x.size(dim)));
}

Tensor max(const Tensor& x) {
  require_cpu("max", x);
  return max(reshape(x, {-1}), 0);
}

namespace {
// torch's rule: a maximum over no values has no value (the kernels would read past the end).
void require_values_along(const char* op, const Tensor& x, int dim) {
  if (x.size(dim) == 0)
    throw std::invalid_argument(std::string(op) + ": dimension " + std::to_string(dim) + " of " +
                                to_string(x.shape()) + " is empty");
}
}  // namespace

Tensor max(const Tensor& x, int dim, bool keepdim) {
  require_values_along("max", x, dim);
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::max(x, dim, keepdim);
#endif
  require_cpu("max", x);
  Split s = split_at(x.shape(), dim, keepdim);
  std::vector<int64_t> idx = argmax_indices(x, s);
  Tensor out = Tensor::zeros(s.reduced);
  const float* p = x.data();
  for (int64_t a = 0; a < s.outer; ++a)
    for (int64_t b = 0; b < s.inner; ++b)
      out.data()[a * s.inner + b] = p[(a * s.n + idx[size_t(a * s.inner + b)]) * s.inner + b];
  Shape shape = x.shape();
  return record("max_dim", out, {x}, [shape, s, idx](const Tensor& g) {
    Tensor gx = Tensor::zeros(shape);
    for (int64_t a = 0; a < s.outer; ++a)
      for (int64_t b = 0; b < s.inner; ++b)
        gx.data()[(a * s.n + idx[size_t(a * s.inner + b)]) * s.inner + b] =
            g.data()[a * s.inner + b];
    return Tensors{gx};
  });
}

Tensor argmax(const Tensor& x, int dim, bool keepdim) {
  require_values_along("argmax", x, dim);
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::argmax(x, dim, keepdim);
#endif
  require_cpu("argmax", x);
  Split s = split_at(x.shape(), dim, keepdim);
  std::vector<int64_t> idx = argmax_indices(x, s);
  Tensor out = Tensor::zeros(s.reduced);
  for (size_t i = 0; i < idx.size(); ++i) out.data()[i] = float(idx[i]);
  return out;
}

}  // namespace soma
