#include "core/credit/delayed_credit.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/gemm.hpp"

namespace soma::credit {
namespace {

using WeightGrad = std::function<Tensor(const Tensor& error)>;

Tensor activate(const Tensor& z, Activation act) {
  Tensor h = Tensor::uninitialized(z.shape());
  if (act == Activation::relu)
    h.array() = z.array().max(0.0f);
  else
    h.array() = z.array();
  return h;
}

// rows[t] *= w[t] for an (N, R) tensor.
Tensor scale_rows(const Tensor& e, const std::vector<float>& w) {
  const int64_t n = e.size(0), r = e.numel() / n;
  Tensor out = Tensor::uninitialized(e.shape());
  out.matrix(n, r) = Eigen::Map<const Eigen::VectorXf>(w.data(), n).asDiagonal() * e.matrix(n, r);
  return out;
}

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data()[i], y = b.data()[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa == 0 || bb == 0) return 1.0;
  return std::min(1.0, ab / std::sqrt(aa * bb));
}

struct CreditGrads {
  Tensor delta, weight, bias;
};

// The shared backward: g = dL/dh (N, ...), z the saved pre-activation, bias channels first after
// the sample axis (out for linear, Cout for conv).
CreditGrads credit_backward(const Tensor& g, const Tensor& z, Activation act, bool has_bias,
                            int64_t channels, CreditRule& rule, const WeightGrad& weight_grad) {
  const int64_t n = g.size(0), r = g.numel() / n;
  if (n != rule.samples)
    throw std::invalid_argument("delayed credit: the episode has " + std::to_string(n) +
                                " samples, the rule was built for " + std::to_string(rule.samples));
  Tensor theta = Tensor::ones(g.shape());
  if (act == Activation::relu) theta.array() = (z.array() >= 0.0f).cast<float>();
  Tensor delta = Tensor::uninitialized(g.shape());
  delta.array() = g.array() * theta.array();
  const Tensor& we = rule.weight_raw_error ? g : delta;
  Tensor u = Tensor::uninitialized(g.shape());
  gemm(false, false, n, r, n, 1.0f, rule.weight_credit.data(), we.data(), 0.0f, u.data());
  u.array() *= theta.array();
  CreditGrads out{delta, weight_grad(u), Tensor()};
  if (has_bias) {
    Tensor be = scale_rows(rule.bias_raw_error ? g : delta, rule.bias_credit);
    out.bias = Tensor::zeros({channels});
    Eigen::Map<Eigen::VectorXf> gb(out.bias.data(), channels);
    const int64_t per = r / channels;  // positions per channel
    for (int64_t t = 0; t < n; ++t)
      gb += ConstMatrixMap(be.data() + t * r, channels, per).rowwise().sum();
  }
  if (rule.probe)
    rule.similarity = cosine(out.weight, weight_grad(scale_rows(delta, rule.exact_weights)));
  return out;
}

void check_rule(const CreditRule& r) {
  const size_t n = size_t(r.samples);
  if (r.weight_credit.size() != n * n || r.bias_credit.size() != n ||
      (r.probe && r.exact_weights.size() != n))
    throw std::invalid_argument("delayed credit: a rule's matrices do not match its " +
                                std::to_string(r.samples) + " samples");
}

}  // namespace

CreditRule backprop_rule(int64_t samples) {
  CreditRule r;
  r.samples = samples;
  r.weight_credit.assign(size_t(samples * samples), 0.0f);
  for (int64_t t = 0; t < samples; ++t) r.weight_credit[size_t(t * samples + t)] = 1;
  r.bias_credit.assign(size_t(samples), 1.0f);
  r.exact_weights = r.bias_credit;
  return r;
}

CreditRule behavioural_rule(const std::vector<double>& trace, const std::vector<double>& credit,
                            bool raw_error) {
  const int64_t n = int64_t(trace.size());
  if (int64_t(credit.size()) != n)
    throw std::invalid_argument("behavioural_rule: trace and credit kernels differ in length");
  CreditRule r;
  r.samples = n;
  r.weight_raw_error = r.bias_raw_error = raw_error;
  // A[s][t'] = sum_{t >= max(s, t')} h[t - s] c[t - t']
  r.weight_credit.assign(size_t(n * n), 0.0f);
  for (int64_t s = 0; s < n; ++s)
    for (int64_t tp = 0; tp < n; ++tp) {
      double a = 0;
      for (int64_t t = std::max(s, tp); t < n; ++t)
        a += trace[size_t(t - s)] * credit[size_t(t - tp)];
      r.weight_credit[size_t(s * n + tp)] = float(a);
    }
  r.bias_credit.assign(size_t(n), 0.0f);
  for (int64_t tp = 0; tp < n; ++tp) {
    double w = 0;
    for (int64_t t = tp; t < n; ++t) w += credit[size_t(t - tp)];
    r.bias_credit[size_t(tp)] = float(w);
  }
  r.exact_weights = r.bias_credit;
  return r;
}

Tensor credit_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act,
                     std::shared_ptr<CreditRule> rule) {
  if (x.dim() != 2 || weight.dim() != 2 || x.size(1) != weight.size(1))
    throw std::invalid_argument("credit_linear: input " + to_string(x.shape()) +
                                " does not fit weight " + to_string(weight.shape()));
  check_rule(*rule);
  const int64_t n = x.size(0), in = x.size(1), out_dim = weight.size(0);
  Tensor z = Tensor::uninitialized({n, out_dim});
  if (bias.defined())
    z.matrix(n, out_dim).rowwise() = ConstArrayMap(bias.data(), out_dim).matrix().transpose();
  gemm(false, true, n, out_dim, in, 1.0f, x.data(), weight.data(), bias.defined() ? 1.0f : 0.0f,
       z.data());
  Tensor h = activate(z, act);
  Tensor dx = x.detach(), dw = weight.detach();
  const bool need_x = x.requires_grad(), has_bias = bias.defined();
  Tensors inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return record("credit_linear", h, inputs, [=](const Tensor& g) {
    WeightGrad wg = [&](const Tensor& e) {
      Tensor gw = Tensor::uninitialized({out_dim, in});
      gemm(true, false, out_dim, in, n, 1.0f, e.data(), dx.data(), 0.0f, gw.data());
      return gw;
    };
    CreditGrads c = credit_backward(g, z, act, has_bias, out_dim, *rule, wg);
    Tensor gx;
    if (need_x) {
      gx = Tensor::uninitialized({n, in});
      gemm(false, false, n, in, out_dim, 1.0f, c.delta.data(), dw.data(), 0.0f, gx.data());
    }
    Tensors grads{gx, c.weight};
    if (has_bias) grads.push_back(c.bias);
    return grads;
  });
}

Tensor credit_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions opt,
                     Activation act, std::shared_ptr<CreditRule> rule) {
  check_rule(*rule);
  // The convolution itself is recorded for the input only (its backward then skips the weight
  // GEMM); the credit node on top hands it the undelayed error and forms dW and db.
  Tensor z = conv2d(x, weight.detach(), bias.defined() ? bias.detach() : Tensor(), opt);
  Tensor h = activate(z, act);
  Tensor dx = x.detach(), zd = z.detach();
  const Shape wshape = weight.shape();
  const bool has_bias = bias.defined();
  Tensors inputs{z, weight};
  if (has_bias) inputs.push_back(bias);
  return record("credit_conv2d", h, inputs, [=](const Tensor& g) {
    WeightGrad wg = [&](const Tensor& e) { return conv2d_weight_grad(dx, e, wshape, opt); };
    CreditGrads c = credit_backward(g, zd, act, has_bias, wshape[0], *rule, wg);
    Tensors grads{c.delta, c.weight};
    if (has_bias) grads.push_back(c.bias);
    return grads;
  });
}

}  // namespace soma::credit
