#include "core/ops/shape_ops.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/cuda_broadcast.hpp"

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

namespace soma {

namespace {
// Copies x into the layout given by a permutation of its dimensions.
Tensor permute_copy(const Tensor& x, const std::vector<int>& dims) {
  int n = x.dim();
  const auto un = static_cast<size_t>(n);
  Shape in_strides = strides_of(x.shape()), out_shape(un), src_strides(un);
  for (int i = 0; i < n; ++i) {
    out_shape[size_t(i)] = x.shape()[size_t(dims[size_t(i)])];
    src_strides[size_t(i)] = in_strides[size_t(dims[size_t(i)])];
  }
  Tensor out = Tensor::uninitialized(out_shape);  // every element written below
  std::vector<int64_t> idx(un, 0);
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t i = 0, total = out.numel(); i < total; ++i) {
    int64_t off = 0;
    for (int d = 0; d < n; ++d) off += idx[size_t(d)] * src_strides[size_t(d)];
    dst[i] = src[off];
    for (int d = n - 1; d >= 0 && ++idx[size_t(d)] == out_shape[size_t(d)]; --d) idx[size_t(d)] = 0;
  }
  return out;
}

// x seen as (outer, n, inner) around dimension d.
struct Around {
  int64_t outer = 1, n = 1, inner = 1;
};
Around around(const Shape& s, int d) {
  Around a;
  for (int i = 0; i < int(s.size()); ++i) {
    if (i < d) a.outer *= s[size_t(i)];
    if (i > d) a.inner *= s[size_t(i)];
  }
  a.n = s[size_t(d)];
  return a;
}

// Copies the block [start, start + len) along the split dimension between two tensors that
// differ only in that dimension's size; `to_part` picks the direction.
void copy_block(const Tensor& whole, const Tensor& part, int d, int64_t start, bool to_part) {
  Around w = around(whole.shape(), d);
  int64_t len = part.shape()[size_t(d)];
  float* pw = const_cast<float*>(whole.data());
  float* pp = const_cast<float*>(part.data());
  for (int64_t o = 0; o < w.outer; ++o) {
    float* a = pw + (o * w.n + start) * w.inner;
    float* b = pp + o * len * w.inner;
    if (to_part)
      std::copy(a, a + len * w.inner, b);
    else
      std::copy(b, b + len * w.inner, a);
  }
}

#ifdef SOMA_CUDA
// cat on cuda tensors: each part a block of rows (outer rows of len * inner floats) copied into
// the whole (n * inner floats apart), and the gradient's blocks copied back out.
Tensor cuda_cat(const std::vector<Tensor>& xs, int d, const Shape& shape) {
  Tensor out = Tensor::uninitialized(shape, Device::cuda);
  const Around w = around(shape, d);
  std::vector<int64_t> starts;
  std::vector<Shape> shapes;
  int64_t start = 0;
  for (const Tensor& x : xs) {
    const int64_t width = x.shape()[size_t(d)] * w.inner;
    cuda::copy_rows(out.raw_data() + start * w.inner, w.n * w.inner, x.raw_data(), width, width,
                    w.outer);
    starts.push_back(start);
    shapes.push_back(x.shape());
    start += x.shape()[size_t(d)];
  }
  return record("cat", out, xs, [shapes, starts, d, w](const Tensor& g) {
    Tensors grads;
    for (size_t i = 0; i < shapes.size(); ++i) {
      grads.push_back(Tensor::uninitialized(shapes[i], Device::cuda));
      const int64_t width = shapes[i][size_t(d)] * w.inner;
      cuda::copy_rows(grads.back().raw_data(), width, g.raw_data() + starts[i] * w.inner,
                      w.n * w.inner, width, w.outer);
    }
    return grads;
  });
}

// A slice along dimension d > 0 of a tensor with outer > 1: `outer` rows of (end - start) inner
// blocks, n inner blocks apart, copied in one strided device copy (cudaMemcpy2DAsync, as cat);
// the gradient the same copy into zeros.
Tensor cuda_strided_slice(const Tensor& x, int d, int64_t start, const Shape& shape) {
  const Around w = around(x.shape(), d);
  const int64_t width = shape[size_t(d)] * w.inner, pitch = w.n * w.inner;
  Tensor out = Tensor::uninitialized(shape, Device::cuda);
  cuda::copy_rows(out.raw_data(), width, x.raw_data() + start * w.inner, pitch, width, w.outer);
  return record("slice", out, {x}, [from = x.shape(), start, w, width, pitch](const Tensor& g) {
    Tensor gx = Tensor::zeros(from, Device::cuda);
    cuda::copy_rows(gx.raw_data() + start * w.inner, pitch, g.raw_data(), width, width, w.outer);
    return Tensors{gx};
  });
}
#endif
}  // namespace

Tensor permute(const Tensor& x, const std::vector<int>& dims) {
  if (int(dims.size()) != x.dim())
    throw std::invalid_argument("permute: " + std::to_string(dims.size()) + " dims for " +
                                to_string(x.shape()));
  std::vector<int> norm(dims.size()), inverse(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    norm[i] = normalize_dim(dims[i], x.dim());
    if (seen[size_t(norm[i])]) throw std::invalid_argument("permute: repeated dimension");
    seen[size_t(norm[i])] = true;
    inverse[size_t(norm[i])] = int(i);
  }
  return record("permute", permute_copy(x, norm), {x},
                [inverse](const Tensor& g) { return Tensors{permute_copy(g, inverse)}; });
}

Tensor transpose(const Tensor& x, int dim0, int dim1) {
  std::vector<int> dims(size_t(x.dim()));
  for (int i = 0; i < x.dim(); ++i) dims[size_t(i)] = i;
  std::swap(dims[size_t(normalize_dim(dim0, x.dim()))], dims[size_t(normalize_dim(dim1, x.dim()))]);
  return permute(x, dims);
}

namespace {

// A recorded slice that is a contiguous block of its input from element `offset`: the engine
// adds its gradient into the input's in place (Node::block_offset) rather than run the backward
// above, which makes a zero tensor of the input's size per slice.
Tensor as_block(Tensor out, int64_t offset) {
  if (out.grad_fn()) out.grad_fn()->block_offset = offset;
  return out;
}

}  // namespace

Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end) {
  int d = normalize_dim(dim, x.dim());
  int64_t n = x.shape()[size_t(d)];
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0 || end > n || start > end)
    throw std::out_of_range("slice: [" + std::to_string(start) + ", " + std::to_string(end) +
                            ") out of range for dimension " + std::to_string(dim) + " of " +
                            to_string(x.shape()));
  Shape shape = x.shape(), from = x.shape();
  shape[size_t(d)] = end - start;
  Tensor out;
  const bool block = d == 0 || around(x.shape(), d).outer == 1;
#ifdef SOMA_CUDA
  if (!block && x.device() == Device::cuda) return cuda_strided_slice(x, d, start, shape);
#endif
  if (block) {  // a contiguous block: share storage
    out = view_of(x, shape, start * around(x.shape(), d).inner);
  } else {
    out = Tensor::zeros(shape);
    copy_block(x, out, d, start, true);
  }
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) {  // the view above; its gradient a block copy on the device
    const int64_t offset = start * around(x.shape(), d).inner;
    return as_block(record("slice", out, {x},
                           [from, offset](const Tensor& g) {
                             return Tensors{cuda_ops::slice_backward(g, from, offset)};
                           }),
                    offset);
  }
#endif
  out = record("slice", out, {x}, [from, d, start](const Tensor& g) {
    Tensor gx = Tensor::zeros(from);
    copy_block(gx, g, d, start, false);
    return Tensors{gx};
  });
  return block ? as_block(out, start * around(x.shape(), d).inner) : out;
}

Tensor select(const Tensor& x, int64_t index) {
  if (x.dim() == 0) throw std::invalid_argument("select: a 0-d tensor has no dimension 0");
  Shape shape(x.shape().begin() + 1, x.shape().end());
  return reshape(slice(x, 0, index, index + 1), shape);
}

Tensor index_select(const Tensor& x, const std::vector<int64_t>& indices) {
  if (x.dim() == 0) throw std::invalid_argument("index_select: a 0-d tensor has no rows");
  int64_t rows = x.size(0), width = x.numel() / std::max<int64_t>(rows, 1);
  Shape shape = x.shape(), from = x.shape();
  shape[0] = int64_t(indices.size());
  Tensor out = Tensor::zeros(shape);
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < 0 || indices[i] >= rows)
      throw std::out_of_range("index_select: row " + std::to_string(indices[i]) +
                              " out of range for " + to_string(x.shape()));
    std::copy(x.data() + indices[i] * width, x.data() + (indices[i] + 1) * width,
              out.data() + int64_t(i) * width);
  }
  return record("index_select", out, {x}, [from, indices, width](const Tensor& g) {
    Tensor gx = Tensor::zeros(from);
    for (size_t i = 0; i < indices.size(); ++i)
      for (int64_t j = 0; j < width; ++j)
        gx.data()[indices[i] * width + j] += g.data()[int64_t(i) * width + j];
    return Tensors{gx};
  });
}

Tensor cat(const std::vector<Tensor>& xs, int dim) {
  if (xs.empty()) throw std::invalid_argument("cat: no tensors");
  int d = normalize_dim(dim, xs[0].dim());
  Shape shape = xs[0].shape();
  shape[size_t(d)] = 0;
  for (const Tensor& x : xs) {
    Shape s = x.shape(), want = xs[0].shape();
    s[size_t(d)] = want[size_t(d)] = 0;
    if (s != want)
      throw std::invalid_argument("cat: shape " + to_string(x.shape()) + " does not match " +
                                  to_string(xs[0].shape()) + " outside dimension " +
                                  std::to_string(dim));
    shape[size_t(d)] += x.shape()[size_t(d)];
  }
#ifdef SOMA_CUDA
  Device device = Device::cpu;
  for (const Tensor& x : xs) device = require_device("cat", xs[0], x);
  if (device == Device::cuda) return cuda_cat(xs, d, shape);
#endif
  Tensor out = Tensor::uninitialized(shape);  // the parts tile it
  std::vector<int64_t> starts;
  int64_t start = 0;
  for (const Tensor& x : xs) {
    starts.push_back(start);
    copy_block(out, x, d, start, false);
    start += x.shape()[size_t(d)];
  }
  std::vector<Shape> shapes;
  for (const Tensor& x : xs) shapes.push_back(x.shape());
  return record("cat", out, xs, [shapes, starts, d](const Tensor& g) {
    Tensors grads;
    for (size_t i = 0; i < shapes.size(); ++i) {
      grads.push_back(Tensor::uninitialized(shapes[i]));  // filled whole from g
      copy_block(g, grads.back(), d, starts[i], true);
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& xs, int dim) {
  if (xs.empty()) throw std::invalid_argument("stack: no tensors");
  int d = normalize_dim(dim, xs[0].dim() + 1);
  Tensors parts;
  for (const Tensor& x : xs) parts.push_back(unsqueeze(x, d));
  return cat(parts, d);
}

}  // namespace soma
