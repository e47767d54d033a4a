#include "core/neuron/sqn.hpp"

#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/neuron/surrogate.hpp"

namespace soma {
namespace {

using Mat = RowMatrix;

struct Geometry {
  int64_t batch = 0, layers = 0;
  std::vector<int64_t> width;  // width[0] = inputs, width[l + 1] = layer l's neurons
};

Geometry check(const Tensor& x, const Tensors& w, const Tensors& b, const SqnOptions& opt) {
  if (x.dim() != 2) throw std::invalid_argument("sqn_forward: x must be (batch, inputs)");
  if (w.empty()) throw std::invalid_argument("sqn_forward: no weight layers");
  if (!b.empty() && b.size() != w.size())
    throw std::invalid_argument("sqn_forward: one bias (or undefined) per weight layer");
  if (opt.steps < 1) throw std::invalid_argument("sqn_forward: steps must be >= 1");
  Geometry g{x.size(0), int64_t(w.size()), {x.size(1)}};
  for (size_t l = 0; l < w.size(); ++l) {
    if (w[l].dim() != 2 || w[l].size(0) != g.width.back())
      throw std::invalid_argument("sqn_forward: weights[" + std::to_string(l) + "] must be (" +
                                  std::to_string(g.width.back()) + ", n)");
    g.width.push_back(w[l].size(1));
    if (!b.empty() && b[l].defined() && b[l].numel() != w[l].size(1))
      throw std::invalid_argument("sqn_forward: biases[" + std::to_string(l) + "] size");
  }
  return g;
}

// What the backward pass needs: every layer's pre-update membrane at every step.
struct Saved {
  std::vector<std::vector<Mat>> u;  // u[l][t], (B, n_{l+1})
};

Mat spikes_of(const Mat& u, float theta) {
  return (u.array() > theta).cast<float>().matrix();
}

}  // namespace

Tensor sqn_forward(const Tensor& x, const Tensors& weights, const Tensors& biases,
                   const SqnOptions& opt, Tensors* hidden_spikes) {
  const Geometry g = check(x, weights, biases, opt);
  const int64_t L = g.layers, T = opt.steps, B = g.batch;
  auto bias = [&](int64_t l) -> const Tensor* {
    return biases.empty() || !biases[size_t(l)].defined() ? nullptr : &biases[size_t(l)];
  };
  const size_t nl = size_t(L);
  std::vector<Mat> u(nl), cur(nl);
  for (int64_t l = 0; l < L; ++l)
    u[size_t(l)] = cur[size_t(l)] = Mat::Zero(B, g.width[size_t(l + 1)]);
  auto saved = std::make_shared<Saved>();
  saved->u.assign(size_t(L), std::vector<Mat>(size_t(T)));
  if (hidden_spikes) {
    hidden_spikes->clear();
    for (int64_t l = 0; l + 1 < L; ++l)
      hidden_spikes->push_back(Tensor::zeros({T, B, g.width[size_t(l + 1)]}));
  }
  const Mat xin = x.matrix(B, g.width[0]);
  Mat s_prev;
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t l = 0; l < L; ++l) {
      const size_t k = size_t(l);
      Mat h = (l == 0 ? xin : s_prev) * weights[k].matrix(g.width[k], g.width[k + 1]);
      if (const Tensor* b = bias(l)) h.rowwise() += b->matrix(1, g.width[k + 1]).row(0);
      saved->u[k][size_t(t)] = u[k];
      if (l + 1 < L) {
        Mat s = spikes_of(u[k], opt.threshold);
        if (opt.reset == SqnReset::subtract)
          u[k] = opt.beta * u[k] + cur[k] - s;
        else
          u[k] = ((opt.beta * u[k] + cur[k]).array() * (1.0f - s.array())).matrix();
        if (hidden_spikes) (*hidden_spikes)[k].matrix(T * B, s.cols()).middleRows(t * B, B) = s;
        s_prev = std::move(s);
      } else {
        u[k] = opt.beta * u[k] + cur[k];
      }
      cur[k] = opt.alpha * cur[k] + h;
    }
  }
  Tensor out = Tensor::zeros({B, g.width.back()});
  out.matrix(B, g.width.back()) = u[size_t(L - 1)];

  Tensors inputs{x};
  for (const Tensor& w : weights) inputs.push_back(w);
  for (int64_t l = 0; l < L; ++l) inputs.push_back(bias(l) ? *bias(l) : Tensor());
  Tensors wd;
  for (const Tensor& w : weights) wd.push_back(w.detach());
  Tensor xd = x.detach();
  return record("sqn", out, inputs, [saved, wd, xd, g, opt](const Tensor& gout) {
    const int64_t L = g.layers, T = opt.steps, B = g.batch;
    const size_t nl = size_t(L);
    std::vector<Mat> gu(nl), gi(nl), gw(nl);
    std::vector<Eigen::RowVectorXf> gb(nl);
    for (int64_t l = 0; l < L; ++l) {
      const size_t k = size_t(l);
      gu[k] = gi[k] = Mat::Zero(B, g.width[k + 1]);
      gw[k] = Mat::Zero(g.width[k], g.width[k + 1]);
      gb[k] = Eigen::RowVectorXf::Zero(g.width[k + 1]);
    }
    gu[size_t(L - 1)] = gout.matrix(B, g.width.back());
    Mat gx = Mat::Zero(B, g.width[0]);
    const Mat xin = xd.matrix(B, g.width[0]);
    for (int64_t t = T - 1; t >= 0; --t) {
      Mat gs_above;  // dLoss/dS_l[t] through layer l+1's drive, filled by layer l+1
      for (int64_t l = L - 1; l >= 0; --l) {
        const size_t k = size_t(l);
        const Mat& u_old = saved->u[k][size_t(t)];
        Mat gh = gi[k];
        Mat gi_old = opt.alpha * gi[k];
        Mat gu_old;
        if (l + 1 < L) {
          if (opt.reset == SqnReset::subtract) {
            gu_old = opt.beta * gu[k];
            gi_old += gu[k];
          } else {
            Mat keep = (u_old.array() <= opt.threshold).cast<float>().matrix();
            Mat m = (gu[k].array() * keep.array()).matrix();
            gu_old = opt.beta * m;
            gi_old += m;
          }
          gu_old.array() += gs_above.array() * u_old.array().unaryExpr([&](float v) {
            return superspike_grad(v - opt.threshold, opt.surrogate_scale);
          });
        } else {
          gu_old = opt.beta * gu[k];
          gi_old += gu[k];
        }
        const Mat w = wd[k].matrix(g.width[k], g.width[k + 1]);
        if (l == 0) {
          gw[k].noalias() += xin.transpose() * gh;
          gx.noalias() += gh * w.transpose();
        } else {
          gw[k].noalias() += spikes_of(saved->u[k - 1][size_t(t)], opt.threshold).transpose() * gh;
          gs_above = gh * w.transpose();
        }
        gb[k] += gh.colwise().sum();
        gu[k] = std::move(gu_old);
        gi[k] = std::move(gi_old);
      }
    }
    Tensors grads;
    Tensor tx = Tensor::zeros({B, g.width[0]});
    tx.matrix(B, g.width[0]) = gx;
    grads.push_back(tx);
    for (int64_t l = 0; l < L; ++l) {
      Tensor tw = Tensor::zeros({g.width[size_t(l)], g.width[size_t(l + 1)]});
      tw.matrix(g.width[size_t(l)], g.width[size_t(l + 1)]) = gw[size_t(l)];
      grads.push_back(tw);
    }
    for (int64_t l = 0; l < L; ++l) {
      Tensor tb = Tensor::zeros({g.width[size_t(l + 1)]});
      tb.matrix(1, g.width[size_t(l + 1)]).row(0) = gb[size_t(l)];
      grads.push_back(tb);
    }
    return grads;
  });
}

}  // namespace soma
