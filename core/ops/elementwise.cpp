#include "core/ops/elementwise.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/backend/cuda/unary_body.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/broadcast.hpp"
#include "core/ops/cuda_broadcast.hpp"

namespace soma {

namespace {

// Applies f element-wise over the broadcast of a and b.
template <class F>
Tensor broadcast_apply(const Tensor& a, const Tensor& b, F f) {
  Shape shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::uninitialized(shape);  // every element written below
  float* o = out.data();
  const float *pa = a.data(), *pb = b.data();
  if (a.shape() == b.shape()) {
    for (int64_t i = 0, n = out.numel(); i < n; ++i) o[i] = f(pa[i], pb[i]);
  } else if (b.numel() == 1) {
    float vb = pb[0];
    for (int64_t i = 0, n = out.numel(); i < n; ++i) o[i] = f(pa[i], vb);
  } else {
    BroadcastIndexer(shape, a.shape(), b.shape()).for_each([&](int64_t i, int64_t ia, int64_t ib) {
      o[i] = f(pa[ia], pb[ib]);
    });
  }
  return out;
}

template <class F>
Tensor unary_apply(const Tensor& x, F f) {
  Tensor out = Tensor::uninitialized(x.shape());
  float* o = out.data();
  const float* p = x.data();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) o[i] = f(p[i]);
  return out;
}

// The binary op on the inputs' device: f on the CPU (with broadcasting), or the CUDA kernel
// `k` (a broadcasting one where the shapes differ: cuda_broadcast.hpp).
template <class F>
Tensor binary_apply(const char* op, cuda::BinaryOp k, const Tensor& a, const Tensor& b, F f) {
  if (require_device(op, a, b) == Device::cpu) return broadcast_apply(a, b, f);
  if (a.shape() != b.shape()) {
#ifdef SOMA_CUDA
    return cuda_ops::binary_broadcast(k, a, b);
#else
    throw std::runtime_error(std::string(op) + ": broadcasting " + to_string(a.shape()) + " with " +
                             to_string(b.shape()) + " has no CUDA implementation in this build");
#endif
  }
  Tensor out = Tensor::uninitialized(a.shape(), Device::cuda);
  cuda::binary(k, a.raw_data(), b.raw_data(), a.numel(), out.raw_data());
  return out;
}

template <class F>
Tensor scalar_apply(const char* op, cuda::BinaryOp k, const Tensor& a, float b, F f) {
  if (require_device(op, a) == Device::cpu) return unary_apply(a, f);
  Tensor out = Tensor::uninitialized(a.shape(), Device::cuda);
  cuda::binary_scalar(k, a.raw_data(), b, a.numel(), out.raw_data());
  return out;
}

// Whether a unary op runs on cuda: a CUDA build asks the input's device; any other build
// refuses cuda inputs and answers false, so cuda_unary drops out of it (the web page's size).
#ifdef SOMA_CUDA
bool unary_on_cuda(const char* name, const Tensor& x) {
  return require_device(name, x) == Device::cuda;
}
#else
bool unary_on_cuda(const char* name, const Tensor& x) {
  require_cpu(name, x);
  return false;
}
#endif

// A unary op on a cuda tensor: unary.cu's kernels forward and backward (the output kept for
// the backward only where f' reads it).
Tensor cuda_unary(const char* name, cuda::UnaryOp op, cuda::UnaryArgs args, const Tensor& x) {
  Tensor y = Tensor::uninitialized(x.shape(), Device::cuda);
  cuda::unary(op, args, x.raw_data(), x.numel(), y.raw_data());
  const Tensor dx = x.detach(), dy = cuda::unary_uses_output(op) ? y.detach() : Tensor();
  return record(name, y, {x}, [=](const Tensor& g) {
    require_device(name, g, dx);
    Tensor gx = Tensor::uninitialized(dx.shape(), Device::cuda);
    cuda::unary_backward(op, args, dx.raw_data(), dy.defined() ? dy.raw_data() : nullptr,
                         g.raw_data(), g.numel(), gx.raw_data());
    return Tensors{gx};
  });
}

}  // namespace

#ifdef SOMA_CUDA
Tensor cuda_ops::unary(const char* name, cuda::UnaryOp op, cuda::UnaryArgs args, const Tensor& x) {
  return cuda_unary(name, op, args, x);
}
#endif

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
#ifdef SOMA_CUDA
  if (g.device() == Device::cuda) return cuda_ops::sum_to(g, shape);
#endif
  require_cpu("sum_to (the backward of a broadcast)", g);
  Tensor out = Tensor::zeros(shape);
  float* o = out.data();
  const float* pg = g.data();
  BroadcastIndexer(g.shape(), shape, shape).for_each([&](int64_t i, int64_t io, int64_t) {
    o[io] += pg[i];
  });
  return out;
}

Tensor add(const Tensor& a, const Tensor& b) {
  Shape sa = a.shape(), sb = b.shape();
  return record(
      "add", binary_apply("add", cuda::BinaryOp::add, a, b, [](float x, float y) { return x + y; }),
      {a, b}, [sa, sb](const Tensor& g) {
        return Tensors{sum_to(g, sa), sum_to(g, sb)};
      });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Shape sa = a.shape(), sb = b.shape();
  return record(
      "sub", binary_apply("sub", cuda::BinaryOp::sub, a, b, [](float x, float y) { return x - y; }),
      {a, b}, [sa, sb](const Tensor& g) {
        return Tensors{sum_to(g, sa), sum_to(neg(g), sb)};
      });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor da = a.detach(), db = b.detach();
  return record(
      "mul", binary_apply("mul", cuda::BinaryOp::mul, a, b, [](float x, float y) { return x * y; }),
      {a, b}, [da, db](const Tensor& g) {
        return Tensors{sum_to(mul(g, db), da.shape()), sum_to(mul(g, da), db.shape())};
      });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor da = a.detach(), db = b.detach();
  return record(
      "div", binary_apply("div", cuda::BinaryOp::div, a, b, [](float x, float y) { return x / y; }),
      {a, b}, [da, db](const Tensor& g) {
        Tensor gb = neg(div(mul(g, da), mul(db, db)));
        return Tensors{sum_to(div(g, db), da.shape()), sum_to(gb, db.shape())};
      });
}

Tensor add(const Tensor& a, float b) {
  return record(
      "add_scalar",
      scalar_apply("add_scalar", cuda::BinaryOp::add, a, b, [b](float x) { return x + b; }), {a},
      [](const Tensor& g) { return Tensors{g}; });
}

Tensor mul(const Tensor& a, float b) {
  return record(
      "mul_scalar",
      scalar_apply("mul_scalar", cuda::BinaryOp::mul, a, b, [b](float x) { return x * b; }), {a},
      [b](const Tensor& g) { return Tensors{mul(g, b)}; });
}

Tensor neg(const Tensor& x) {
  return mul(x, -1.0f);
}

// Unary ops whose derivative is a function of the input: d = df(x).
#define SOMA_UNARY_FROM_INPUT(NAME, F, DF)                                                       \
  Tensor NAME(const Tensor& x) {                                                                 \
    if (unary_on_cuda(#NAME, x)) return cuda_unary(#NAME, cuda::UnaryOp::NAME, {}, x);           \
    Tensor dx = x.detach();                                                                      \
    return record(#NAME, unary_apply(x, [](float v) { return F; }), {x}, [dx](const Tensor& g) { \
      return Tensors{mul(g, unary_apply(dx, [](float v) { return DF; }))};                       \
    });                                                                                          \
  }
// Unary ops whose derivative is cheaper from the output y.
#define SOMA_UNARY_FROM_OUTPUT(NAME, F, DF)                                            \
  Tensor NAME(const Tensor& x) {                                                       \
    if (unary_on_cuda(#NAME, x)) return cuda_unary(#NAME, cuda::UnaryOp::NAME, {}, x); \
    Tensor y = unary_apply(x, [](float v) { return F; });                              \
    Tensor dy = y.detach();                                                            \
    return record(#NAME, y, {x}, [dy](const Tensor& g) {                               \
      return Tensors{mul(g, unary_apply(dy, [](float y) { return DF; }))};             \
    });                                                                                \
  }

SOMA_UNARY_FROM_OUTPUT(exp, std::exp(v), y)
SOMA_UNARY_FROM_INPUT(log, std::log(v), 1.0f / v)
SOMA_UNARY_FROM_INPUT(abs, std::fabs(v), float((v > 0) - (v < 0)))
SOMA_UNARY_FROM_OUTPUT(sqrt, std::sqrt(v), 0.5f / y)
SOMA_UNARY_FROM_INPUT(square, v* v, 2.0f * v)
SOMA_UNARY_FROM_INPUT(relu, v > 0 ? v : 0.0f, v > 0 ? 1.0f : 0.0f)
SOMA_UNARY_FROM_OUTPUT(sigmoid, 1.0f / (1.0f + std::exp(-v)), y*(1.0f - y))
SOMA_UNARY_FROM_OUTPUT(tanh, std::tanh(v), 1.0f - y * y)
#undef SOMA_UNARY_FROM_INPUT
#undef SOMA_UNARY_FROM_OUTPUT

Tensor pow(const Tensor& x, float e) {
  if (unary_on_cuda("pow", x)) return cuda_unary("pow", cuda::UnaryOp::pow, {e, 0}, x);
  Tensor dx = x.detach();
  return record(
      "pow", unary_apply(x, [e](float v) { return std::pow(v, e); }), {x},
      [dx, e](const Tensor& g) {
        return Tensors{mul(g, unary_apply(dx, [e](float v) { return e * std::pow(v, e - 1); }))};
      });
}

Tensor clamp(const Tensor& x, float lo, float hi) {
  if (unary_on_cuda("clamp", x)) return cuda_unary("clamp", cuda::UnaryOp::clamp, {lo, hi}, x);
  Tensor dx = x.detach();
  return record(
      "clamp", unary_apply(x, [lo, hi](float v) { return std::fmin(std::fmax(v, lo), hi); }), {x},
      [dx, lo, hi](const Tensor& g) {
        return Tensors{mul(
            g, unary_apply(dx, [lo, hi](float v) { return v >= lo && v <= hi ? 1.0f : 0.0f; }))};
      });
}

Tensor softplus(const Tensor& x, float beta, float threshold) {
  if (unary_on_cuda("softplus", x))
    return cuda_unary("softplus", cuda::UnaryOp::softplus, {beta, threshold}, x);
  Tensor dx = x.detach();
  auto f = [beta, threshold](float v) {
    return beta * v > threshold ? v : std::log1p(std::exp(beta * v)) / beta;
  };
  return record("softplus", unary_apply(x, f), {x}, [dx, beta, threshold](const Tensor& g) {
    return Tensors{mul(g, unary_apply(dx, [beta, threshold](float v) {
                         return beta * v > threshold ? 1.0f : 1.0f / (1.0f + std::exp(-beta * v));
                       }))};
  });
}

}  // namespace soma
