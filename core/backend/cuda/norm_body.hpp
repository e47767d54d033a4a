#pragma once
// Batch norm (norm.cu): the bodies of its kernels, with norm.cpp's arithmetic.
//
// Training, per channel c over its count = n inner values (norm_ops.hpp's layout):
//   mean = sum x / count;  m = float(mean)
//   var  = sum (x - m)^2 / count            (two passes, biased: the normalisation's)
//   running_mean = (1 - momentum) running_mean + momentum mean
//   running_var  = (1 - momentum) running_var + momentum var count / (count - 1)
// evaluation takes m and var from the running statistics. Then, per element,
//   xhat = (x - m) invstd,  invstd = float(1 / sqrt(var + eps)) in double;  y = xhat w + b.
// Backward, with g = dL/dy and the channel sums sg = sum g, sgh = sum g xhat:
//   gw = sgh,  gb = sg,  gx = w invstd (g - mean(g) - xhat mean(g xhat))
// in training, where the statistics depend on x; in evaluation they are constants and
//   gx = w invstd g.
// The sums run in pieces of a channel (piece q takes its values k = q, q + pieces, ...; the
// neighbouring threads of one channel read neighbouring floats), each piece in double, then
// one thread per channel adds its pieces in order. norm.cpp sums each contiguous run in float
// and the runs in double; both are far inside 1e-5 of the values' scale.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/norm_ops.hpp"
#include "core/backend/cuda/reduce_body.hpp"

namespace soma::cuda {

// Pieces per channel: reduce_body.hpp's split of `channels` lanes of `count` values (1 for many
// channels or short ones; else ~2^17 threads in all, each summing at least 64 values).
SOMA_HD inline int64_t channel_pieces(const ChannelShape& s) {
  return split_pieces(s.channels, s.count());
}

// Thread t = c pieces + q: piece q of channel c's sum of x.
SOMA_HD inline void channel_piece_sum(const ChannelShape& s, int64_t pieces, const float* x,
                                      double* partial, int64_t t) {
  const int64_t c = t / pieces;
  double acc = 0;
  for (int64_t k = t % pieces; k < s.count(); k += pieces) acc += x[s.at(c, k)];
  partial[t] = acc;
}

// The same over (x - m)^2 with m = float(mean[c]): the square of a float difference, as
// norm.cpp's channel_stats.
SOMA_HD inline void channel_piece_sq_dev(const ChannelShape& s, int64_t pieces, const float* x,
                                         const double* mean, double* partial, int64_t t) {
  const int64_t c = t / pieces;
  const float m = float(mean[c]);
  double acc = 0;
  for (int64_t k = t % pieces; k < s.count(); k += pieces) {
    const float d = x[s.at(c, k)] - m;
    acc += d * d;
  }
  partial[t] = acc;
}

// Channel c's pieces added in order (0 when there are none).
SOMA_HD inline double channel_total(const double* partial, int64_t pieces, int64_t c) {
  double acc = 0;
  for (int64_t q = 0; q < pieces; ++q) acc += partial[c * pieces + q];
  return acc;
}

SOMA_HD inline void channel_mean_at(const ChannelShape& s, int64_t pieces, const double* partial,
                                    double* mean, int64_t c) {
  mean[c] = channel_total(partial, pieces, c) / double(s.count());
}

// norm.cpp's update_running, expression for expression (its float and double steps).
SOMA_HD inline void update_running_at(const RunningStats& r, double mean, double var, int64_t count,
                                      int64_t c) {
  const double unbiased = var * double(count) / double(count - 1);
  r.mean[c] = float((1 - r.momentum) * r.mean[c] + r.momentum * mean);
  r.var[c] = float((1 - r.momentum) * r.var[c] + r.momentum * unbiased);
}

// Training, channel c: the variance from the squared-deviation pieces, the running update, and
// the statistics the normalisation applies.
SOMA_HD inline void batch_stats_at(const ChannelShape& s, int64_t pieces, const double* partial,
                                   const double* mean, const RunningStats& r,
                                   const ChannelStats& st, int64_t c) {
  const double var = channel_total(partial, pieces, c) / double(s.count());
  if (r.mean) update_running_at(r, mean[c], var, s.count(), c);
  st.shift[c] = float(mean[c]);
  st.invstd[c] = float(1.0 / sqrt(var + r.eps));
}

// Evaluation, channel c.
SOMA_HD inline void running_stats_at(const RunningStats& r, const ChannelStats& st, int64_t c) {
  st.shift[c] = r.mean[c];
  st.invstd[c] = float(1.0 / sqrt(double(r.var[c]) + r.eps));
}

// Element e of y (and of xhat when kept).
SOMA_HD inline void batch_norm_apply_at(const ChannelShape& s, const float* x,
                                        const ChannelStats& st, const float* w, const float* b,
                                        float* y, float* xhat, int64_t e) {
  const int64_t c = s.channel_of(e);
  const float h = (x[e] - st.shift[c]) * st.invstd[c];
  if (xhat) xhat[e] = h;
  y[e] = h * (w ? w[c] : 1.0f) + (b ? b[c] : 0.0f);
}

// Thread t = c pieces + q: piece q of channel c's sums of g and of g xhat.
SOMA_HD inline void grad_piece_sums(const ChannelShape& s, int64_t pieces, const float* g,
                                    const float* xhat, double* psg, double* psgh, int64_t t) {
  const int64_t c = t / pieces;
  double sg = 0, sgh = 0;
  for (int64_t k = t % pieces; k < s.count(); k += pieces) {
    const int64_t i = s.at(c, k);
    sg += g[i];
    sgh += g[i] * xhat[i];
  }
  psg[t] = sg;
  psgh[t] = sgh;
}

// Channel c: gw and gb, and gx's coefficients coef[3c + 0, 1, 2] = w invstd, mean(g) and
// mean(g xhat) (both 0 in evaluation). Without pieces (an evaluation that wants only gx) the
// sums are 0 and unused.
SOMA_HD inline void grad_channel_at(const ChannelShape& s, int64_t pieces, const double* psg,
                                    const double* psgh, const BatchNormGrads& b, float* coef,
                                    int64_t c) {
  const double sg = channel_total(psg, pieces, c), sgh = channel_total(psgh, pieces, c);
  if (b.gw) b.gw[c] = float(sgh);
  if (b.gb) b.gb[c] = float(sg);
  coef[3 * c] = (b.w ? b.w[c] : 1.0f) * b.invstd[c];
  coef[3 * c + 1] = b.training ? float(sg / double(s.count())) : 0.0f;
  coef[3 * c + 2] = b.training ? float(sgh / double(s.count())) : 0.0f;
}

// Element e of gx.
SOMA_HD inline void grad_x_at(const ChannelShape& s, const BatchNormGrads& b, const float* coef,
                              int64_t e) {
  const float* k = coef + 3 * s.channel_of(e);
  b.gx[e] = k[0] * (b.g[e] - k[1] - b.xhat[e] * k[2]);
}

}  // namespace soma::cuda
