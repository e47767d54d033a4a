#include "core/ops/norm.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/random/rng.hpp"
#ifdef SOMA_CUDA
#include "core/ops/cuda_norm.hpp"
#endif

namespace soma {

namespace {

// x seen as (n, channels, inner): a channel's values are n runs of `inner` contiguous floats.
struct ChannelLayout {
  int64_t n, channels, inner;
  int64_t count() const { return n * inner; }
  int64_t offset(int64_t i, int64_t c) const { return (i * channels + c) * inner; }
  // Threads pay only on inputs large enough to hide waking them.
  bool parallel() const { return channels > 1 && n * channels * inner >= (int64_t(1) << 15); }
};

void check_per_channel(const char* what, const Tensor& t, const Tensor& x, int64_t channels) {
  if (t.defined() && (t.dim() != 1 || t.size(0) != channels))
    throw std::invalid_argument(std::string("batch_norm: ") + what + " " + to_string(t.shape()) +
                                " does not match the " + std::to_string(channels) +
                                " channels of input " + to_string(x.shape()));
}

ChannelLayout bn_layout(const Tensor& x, const Tensor& rm, const Tensor& rv, const Tensor& w,
                        const Tensor& b, bool training) {
  if (x.dim() < 2)
    throw std::invalid_argument("batch_norm: input must be (N, C, ...), got " +
                                to_string(x.shape()));
  ChannelLayout l{x.size(0), x.size(1), 1};
  for (int d = 2; d < x.dim(); ++d) l.inner *= x.size(d);
  check_per_channel("running_mean", rm, x, l.channels);
  check_per_channel("running_var", rv, x, l.channels);
  check_per_channel("weight", w, x, l.channels);
  check_per_channel("bias", b, x, l.channels);
  if (rm.defined() != rv.defined())
    throw std::invalid_argument("batch_norm: give both running_mean and running_var, or neither");
  if (!training && !rm.defined())
    throw std::invalid_argument("batch_norm: evaluation mode needs running statistics");
  if (training && l.count() < 2)
    throw std::invalid_argument("batch_norm: training needs more than one value per channel, " +
                                to_string(x.shape()) + " has one");
  return l;
}

// Mean and biased variance of channel c, two-pass. Each contiguous run is summed by Eigen
// (vectorised, in float) and the runs are added in double, which keeps large batches precise.
void channel_stats(const float* x, const ChannelLayout& l, int64_t c, double& mean, double& var) {
  double s = 0, ss = 0;
  for (int64_t i = 0; i < l.n; ++i) s += ConstArrayMap(x + l.offset(i, c), l.inner).sum();
  mean = s / double(l.count());
  float m = float(mean);
  for (int64_t i = 0; i < l.n; ++i)
    ss += (ConstArrayMap(x + l.offset(i, c), l.inner) - m).square().sum();
  var = ss / double(l.count());
}

// torch's update, running = (1 - momentum) running + momentum batch, with the unbiased
// variance in running_var although normalisation uses the biased one.
void update_running(float& rm, float& rv, double mean, double var, int64_t count, float momentum) {
  double unbiased = var * double(count) / double(count - 1);
  rm = float((1 - momentum) * rm + momentum * mean);
  rv = float((1 - momentum) * rv + momentum * unbiased);
}

// Gradients of y = xhat * w + b. Through batch statistics (training), with gh = dL/dxhat:
//   dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat)),
// otherwise the statistics are constants and dx = invstd * gh.
Tensors bn_backward(const Tensor& g, const Tensor& xhat, const std::vector<float>& invstd,
                    const Tensor& w, const ChannelLayout& l, bool training, bool need_x,
                    bool need_w, bool need_b) {
  Tensor gx, gw, gb;
  if (need_x) gx = Tensor::zeros(xhat.shape());
  if (need_w) gw = Tensor::zeros({l.channels});
  if (need_b) gb = Tensor::zeros({l.channels});
  const float *pg = g.data(), *ph = xhat.data();
#pragma omp parallel for schedule(static) if (l.parallel())
  for (int64_t c = 0; c < l.channels; ++c) {
    double sg = 0, sgh = 0;  // per-run sums in float, as in channel_stats
    for (int64_t i = 0; i < l.n; ++i) {
      ConstArrayMap gi(pg + l.offset(i, c), l.inner), hi(ph + l.offset(i, c), l.inner);
      sg += gi.sum();
      sgh += (gi * hi).sum();
    }
    if (need_w) gw.data()[c] = float(sgh);
    if (need_b) gb.data()[c] = float(sg);
    if (!need_x) continue;
    float scale = (w.defined() ? w.data()[c] : 1.0f) * invstd[size_t(c)];
    float mg = training ? float(sg / double(l.count())) : 0.0f;
    float mgh = training ? float(sgh / double(l.count())) : 0.0f;
    for (int64_t i = 0; i < l.n; ++i)
      for (int64_t j = 0; j < l.inner; ++j) {
        int64_t k = l.offset(i, c) + j;
        gx.data()[k] = scale * (pg[k] - mg - ph[k] * mgh);
      }
  }
  return {gx, gw, gb};
}

}  // namespace

Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum, float eps) {
  ChannelLayout l = bn_layout(x, running_mean, running_var, weight, bias, training);
#ifdef SOMA_CUDA
  if (require_device("batch_norm", x, running_mean, running_var, weight, bias) == Device::cuda)
    return cuda_ops::batch_norm(x, running_mean, running_var, weight, bias, training, momentum,
                                eps);
#endif
  require_cpu("batch_norm", x, running_mean, running_var, weight, bias);
  bool need_x = x.requires_grad(), need_w = weight.defined() && weight.requires_grad();
  bool need_b = bias.defined() && bias.requires_grad();
  // xhat is kept only for a backward pass: inference skips a tensor the size of x.
  bool keep = GradMode::enabled() && (need_x || need_w || need_b);
  Tensor y = Tensor::zeros(x.shape()), xhat = keep ? Tensor::zeros(x.shape()) : Tensor();
  std::vector<float> invstd(size_t(l.channels));
  const float* px = x.data();
  float* ph = keep ? xhat.data() : nullptr;
#pragma omp parallel for schedule(static) if (l.parallel())
  for (int64_t c = 0; c < l.channels; ++c) {
    double mean, var;
    if (training) {
      channel_stats(px, l, c, mean, var);
      if (running_mean.defined())
        update_running(running_mean.data()[c], running_var.data()[c], mean, var, l.count(),
                       momentum);
    } else {
      mean = running_mean.data()[c];
      var = running_var.data()[c];
    }
    float is = float(1.0 / std::sqrt(var + eps)), m = float(mean);
    float w = weight.defined() ? weight.data()[c] : 1.0f, b = bias.defined() ? bias.data()[c] : 0;
    invstd[size_t(c)] = is;
    for (int64_t i = 0; i < l.n; ++i)
      for (int64_t j = 0; j < l.inner; ++j) {
        int64_t k = l.offset(i, c) + j;
        float h = (px[k] - m) * is;
        if (ph) ph[k] = h;
        y.data()[k] = h * w + b;
      }
  }
  if (!keep) return y;
  Tensor dw = weight.defined() ? weight.detach() : Tensor();
  return record("batch_norm", y, {x, weight, bias},
                [xhat, invstd, dw, l, training, need_x, need_w, need_b](const Tensor& g) {
                  return bn_backward(g, xhat, invstd, dw, l, training, need_x, need_w, need_b);
                });
}

Tensor dropout(const Tensor& x, float p, bool training, Rng& rng) {
  if (!(p >= 0 && p < 1)) {
    std::ostringstream os;
    os << "dropout: p must be in [0, 1), got " << p;
    throw std::invalid_argument(os.str());
  }
  if (!training || p == 0) return x;
  // mask holds 0 or 1 / (1 - p), so forward and backward are the same product.
  Tensor mask = Tensor::zeros(x.shape());
  float scale = 1.0f / (1.0f - p);
  for (float& m : mask.array()) m = rng.uniform() < p ? 0.0f : scale;
  Tensor out = Tensor::zeros(x.shape());
  out.array() = x.array() * mask.array();
  return record("dropout", out, {x}, [mask](const Tensor& g) {
    Tensor gx = Tensor::zeros(g.shape());
    gx.array() = g.array() * mask.array();
    return Tensors{gx};
  });
}

}  // namespace soma
