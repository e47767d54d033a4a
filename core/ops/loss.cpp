#include "core/ops/loss.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/cuda_reduce_loss.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"

namespace soma {

namespace {

// A tensor seen as (outer, n, inner) lanes of length n along one dimension. Loops run over
// `inner` innermost so that every access is contiguous whichever dimension is chosen.
struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
};

Lanes lanes_of(const Shape& shape, int dim) {
  Lanes l;
  int d = normalize_dim(dim, int(shape.size()));
  for (int i = 0; i < int(shape.size()); ++i) {
    if (i < d) l.outer *= shape[size_t(i)];
    if (i > d) l.inner *= shape[size_t(i)];
  }
  l.n = shape[size_t(d)];
  return l;
}

// Writes softmax (or, with Log, log-softmax) of x along the lanes into out. Subtracting the
// lane maximum keeps exp from overflowing.
template <bool Log>
void softmax_kernel(const float* x, float* out, const Lanes& l) {
  if (l.n == 0) return;  // lanes of no values: nothing to write, and nothing to read
  std::vector<float> m(size_t(l.inner)), s(size_t(l.inner));
  for (int64_t a = 0; a < l.outer; ++a) {
    const float* p = x + a * l.n * l.inner;
    float* o = out + a * l.n * l.inner;
    std::copy(p, p + l.inner, m.begin());
    for (int64_t j = 1; j < l.n; ++j)
      for (int64_t b = 0; b < l.inner; ++b)
        m[size_t(b)] = std::max(m[size_t(b)], p[j * l.inner + b]);
    std::fill(s.begin(), s.end(), 0.0f);
    for (int64_t j = 0; j < l.n; ++j)
      for (int64_t b = 0; b < l.inner; ++b) {
        float e = std::exp(p[j * l.inner + b] - m[size_t(b)]);
        if constexpr (!Log) o[j * l.inner + b] = e;
        s[size_t(b)] += e;
      }
    if constexpr (Log) {
      for (int64_t b = 0; b < l.inner; ++b) m[size_t(b)] += std::log(s[size_t(b)]);
      for (int64_t j = 0; j < l.n; ++j)
        for (int64_t b = 0; b < l.inner; ++b)
          o[j * l.inner + b] = p[j * l.inner + b] - m[size_t(b)];
    } else {
      for (int64_t b = 0; b < l.inner; ++b) s[size_t(b)] = 1.0f / s[size_t(b)];
      for (int64_t j = 0; j < l.n; ++j)
        for (int64_t b = 0; b < l.inner; ++b) o[j * l.inner + b] *= s[size_t(b)];
    }
  }
}

// From the saved output y, along each lane:
//   softmax:     gx = y * (g - sum(g * y))
//   log_softmax: gx = g - exp(y) * sum(g)
template <bool Log>
Tensor softmax_backward(const Tensor& g, const Tensor& y, const Lanes& l) {
  Tensor gx = Tensor::zeros(y.shape());
  const float *pg = g.data(), *py = y.data();
  float* o = gx.data();
  std::vector<float> dot(size_t(l.inner));
  for (int64_t a = 0; a < l.outer; ++a) {
    int64_t base = a * l.n * l.inner;
    std::fill(dot.begin(), dot.end(), 0.0f);
    for (int64_t j = 0; j < l.n; ++j)
      for (int64_t b = 0; b < l.inner; ++b) {
        int64_t i = base + j * l.inner + b;
        dot[size_t(b)] += Log ? pg[i] : pg[i] * py[i];
      }
    for (int64_t j = 0; j < l.n; ++j)
      for (int64_t b = 0; b < l.inner; ++b) {
        int64_t i = base + j * l.inner + b;
        o[i] = Log ? pg[i] - std::exp(py[i]) * dot[size_t(b)] : py[i] * (pg[i] - dot[size_t(b)]);
      }
  }
  return gx;
}

std::string format_value(float v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Validates (N, C) scores against (N) integer class targets and returns the indices.
std::vector<int64_t> class_targets(const char* op, const Tensor& input, const Tensor& target) {
  if (input.dim() != 2 || target.dim() != 1 || target.size(0) != input.size(0))
    throw std::invalid_argument(std::string(op) + ": expected input (N, C) and target (N), got " +
                                to_string(input.shape()) + " and " + to_string(target.shape()));
  int64_t classes = input.size(1);
  std::vector<int64_t> idx(size_t(target.numel()));
  for (size_t i = 0; i < idx.size(); ++i) {
    float v = target.data()[i];
    if (!(v >= 0 && v < float(classes)) || v != std::floor(v))
      throw std::invalid_argument(std::string(op) + ": target " + format_value(v) + " at " +
                                  std::to_string(i) + " is not a class index in [0, " +
                                  std::to_string(classes) + ")");
    idx[i] = int64_t(v);
  }
  return idx;
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  if (input.shape() != target.shape())
    throw std::invalid_argument(std::string(op) + ": input " + to_string(input.shape()) +
                                " and target " + to_string(target.shape()) + " differ in shape");
}

// Per-element losses reduced as asked; sums in double so large batches keep precision.
Tensor reduce_losses(const Tensor& per, Reduction r) {
  if (r == Reduction::none) return per;
  double s = per.array().cast<double>().sum();
  if (r == Reduction::mean) s /= double(per.numel());
  return Tensor::scalar(float(s));
}

// The upstream gradient of element i of the unreduced losses.
struct Upstream {
  const float* g;
  float scale;
  bool each;
  float operator[](int64_t i) const { return each ? g[i] : g[0] * scale; }
};

Upstream upstream(const Tensor& g, Reduction r, int64_t count) {
  float scale = r == Reduction::mean ? 1.0f / float(count) : 1.0f;
  return {g.data(), scale, r == Reduction::none};
}

}  // namespace

Tensor softmax(const Tensor& x, int dim) {
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::softmax(x, dim);
#endif
  require_cpu("softmax", x);
  Lanes l = lanes_of(x.shape(), dim);
  Tensor y = Tensor::zeros(x.shape());
  softmax_kernel<false>(x.data(), y.data(), l);
  Tensor dy = y.detach();
  return record("softmax", y, {x},
                [dy, l](const Tensor& g) { return Tensors{softmax_backward<false>(g, dy, l)}; });
}

Tensor log_softmax(const Tensor& x, int dim) {
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda) return cuda_ops::log_softmax(x, dim);
#endif
  require_cpu("log_softmax", x);
  Lanes l = lanes_of(x.shape(), dim);
  Tensor y = Tensor::zeros(x.shape());
  softmax_kernel<true>(x.data(), y.data(), l);
  Tensor dy = y.detach();
  return record("log_softmax", y, {x},
                [dy, l](const Tensor& g) { return Tensors{softmax_backward<true>(g, dy, l)}; });
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r) {
#ifdef SOMA_CUDA
  if (log_probs.device() == Device::cuda) return cuda_ops::nll_loss(log_probs, target, r);
#endif
  require_cpu("nll_loss", log_probs, target);
  std::vector<int64_t> t = class_targets("nll_loss", log_probs, target);
  int64_t n = log_probs.size(0), c = log_probs.size(1);
  Tensor per = Tensor::zeros({n});
  for (int64_t i = 0; i < n; ++i) per.data()[i] = -log_probs.data()[i * c + t[size_t(i)]];
  Shape shape = log_probs.shape();
  return record("nll_loss", reduce_losses(per, r), {log_probs},
                [t, n, c, r, shape](const Tensor& g) {
                  Tensor gx = Tensor::zeros(shape);
                  Upstream up = upstream(g, r, n);
                  for (int64_t i = 0; i < n; ++i) gx.data()[i * c + t[size_t(i)]] = -up[i];
                  return Tensors{gx};
                });
}

// Fused log_softmax + smoothed NLL: the target distribution is q = (1 - s) one_hot + s / C,
// the loss -sum_c q_c log p_c, and its gradient with respect to the logits p - q.
// Per sample: -(1 - s) lp[t] - (s / C) sum_k lp[k] = (1 - s) nll + (-s) mean_k lp[k]; summed
// over samples, the second term is -s sum(lp) / C, and averaged, -s mean(lp).
Tensor label_smoothed_nll_loss(const Tensor& log_probs, const Tensor& target, float smoothing,
                               Reduction r) {
  Tensor nll = nll_loss(log_probs, target, r);
  if (smoothing == 0) return nll;
  const float c = float(log_probs.size(1));
  Tensor spread = r == Reduction::none  ? mean(log_probs, 1)
                  : r == Reduction::sum ? sum(log_probs) * (1.0f / c)
                                        : mean(log_probs);
  return nll * (1.0f - smoothing) + spread * -smoothing;
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, float label_smoothing,
                     Reduction r) {
  if (!(label_smoothing >= 0 && label_smoothing <= 1))
    throw std::invalid_argument("cross_entropy: label_smoothing " + format_value(label_smoothing) +
                                " is not in [0, 1]");
#ifdef SOMA_CUDA
  if (require_device("cross_entropy", logits, target) == Device::cuda) {
    if (logits.dim() != 2)
      throw std::invalid_argument("cross_entropy: expected input (N, C), got " +
                                  to_string(logits.shape()));
    return label_smoothed_nll_loss(log_softmax(logits, 1), target, label_smoothing, r);
  }
#endif
  require_cpu("cross_entropy", logits, target);
  std::vector<int64_t> t = class_targets("cross_entropy", logits, target);
  int64_t n = logits.size(0), c = logits.size(1);
  Tensor lp = Tensor::zeros(logits.shape());
  softmax_kernel<true>(logits.data(), lp.data(), {n, c, 1});
  float s = label_smoothing, off = s / float(c), on = 1.0f - s + off;
  Tensor per = Tensor::zeros({n});
  for (int64_t i = 0; i < n; ++i) {
    const float* row = lp.data() + i * c;
    double all = 0;
    for (int64_t k = 0; k < c; ++k) all += row[k];
    per.data()[i] = -float((1.0 - s) * row[t[size_t(i)]] + s * all / double(c));
  }
  return record("cross_entropy", reduce_losses(per, r), {logits},
                [lp, t, n, c, r, on, off](const Tensor& g) {
                  Tensor gx = Tensor::zeros(lp.shape());
                  Upstream up = upstream(g, r, n);
                  for (int64_t i = 0; i < n; ++i) {
                    const float* row = lp.data() + i * c;
                    float* o = gx.data() + i * c;
                    float u = up[i];
                    for (int64_t k = 0; k < c; ++k) o[k] = u * (std::exp(row[k]) - off);
                    o[t[size_t(i)]] -= u * (on - off);
                  }
                  return Tensors{gx};
                });
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_same_shape("mse_loss", input, target);
#ifdef SOMA_CUDA
  if (input.device() == Device::cuda) return cuda_ops::mse_loss(input, target, r);
#endif
  require_cpu("mse_loss", input, target);
  Tensor diff = Tensor::zeros(input.shape());
  diff.array() = input.array() - target.array();
  Tensor per = Tensor::zeros(input.shape());
  per.array() = diff.array().square();
  bool need_target = target.requires_grad();
  return record("mse_loss", reduce_losses(per, r), {input, target},
                [diff, r, need_target](const Tensor& g) {
                  Tensor gx = Tensor::zeros(diff.shape());
                  Upstream up = upstream(g, r, diff.numel());
                  for (int64_t i = 0; i < diff.numel(); ++i)
                    gx.data()[i] = 2.0f * diff.data()[i] * up[i];
                  Tensor gt;
                  if (need_target) {
                    gt = Tensor::zeros(diff.shape());
                    gt.array() = -gx.array();
                  }
                  return Tensors{gx, gt};
                });
}

// -(y log p + (1 - y) log(1 - p)) with each log clamped at -100 so p = 0 or 1 stays finite.
// The input gradient (p - y) / max(p (1 - p), 1e-12) is torch's, which bounds it the same way.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction r) {
  check_same_shape("binary_cross_entropy", input, target);
#ifdef SOMA_CUDA
  if (input.device() == Device::cuda) return cuda_ops::binary_cross_entropy(input, target, r);
#endif
  require_cpu("binary_cross_entropy", input, target);
  int64_t n = input.numel();
  const float *p = input.data(), *y = target.data();
  Tensor per = Tensor::zeros(input.shape());
  for (int64_t i = 0; i < n; ++i) {
    if (!(p[i] >= 0 && p[i] <= 1))
      throw std::invalid_argument("binary_cross_entropy: input " + format_value(p[i]) + " at " +
                                  std::to_string(i) + " is not a probability in [0, 1]");
    float lp = std::max(std::log(p[i]), -100.0f), lq = std::max(std::log1p(-p[i]), -100.0f);
    per.data()[i] = -(y[i] * lp + (1 - y[i]) * lq);
  }
  Tensor dp = input.detach(), dy = target.detach();
  bool need_target = target.requires_grad();
  return record("binary_cross_entropy", reduce_losses(per, r), {input, target},
                [dp, dy, r, n, need_target](const Tensor& g) {
                  Tensor gx = Tensor::zeros(dp.shape()), gt;
                  if (need_target) gt = Tensor::zeros(dp.shape());
                  Upstream up = upstream(g, r, n);
                  const float *p = dp.data(), *y = dy.data();
                  for (int64_t i = 0; i < n; ++i) {
                    gx.data()[i] = up[i] * (p[i] - y[i]) / std::max(p[i] * (1 - p[i]), 1e-12f);
                    if (need_target)
                      gt.data()[i] = up[i] * (std::max(std::log1p(-p[i]), -100.0f) -
                                              std::max(std::log(p[i]), -100.0f));
                  }
                  return Tensors{gx, gt};
                });
}

}  // namespace soma
