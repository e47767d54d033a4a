#pragma once
// Reductions, log-softmax and NLL along one dimension: the bodies of reduce.cu's kernels, one
// thread per lane. A tensor is seen as (outer, n, inner) around the reduced dimension; lane
// (a, b) holds the n elements x[(a n + j) inner + b], so neighbouring threads (b, b + 1) read
// neighbouring floats at every j. The same arithmetic as core/ops/reduce.cpp and loss.cpp:
//   sum:          out = sum_j x_j (accumulated in double, as sum() over all elements on the CPU;
//                 few long lanes are split over many threads, lane_piece_sum)
//   max:          out = x_m, m the first index of the maximum; backward gx_m = g, 0 elsewhere
//   log_softmax:  y_j = x_j - (mx + log sum_j exp(x_j - mx)),  gx_j = g_j - exp(y_j) sum_j g_j
//   nll:          per_i = -lp[i, t_i]; gx[i, t_i] = -g_i (NaN for a target outside [0, C):
//                 the GPU does not stop to check targets, so a bad one poisons the loss)
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline int64_t lane_base(const LaneShape& l, int64_t lane) {
  return (lane / l.inner) * l.n * l.inner + lane % l.inner;
}

// In: float, or double for the partial sums of a split sum (below).
template <class In>
SOMA_HD inline void lane_sum(const LaneShape& l, const In* x, float* out, int64_t lane) {
  const In* p = x + lane_base(l, lane);
  double acc = 0;
  for (int64_t j = 0; j < l.n; ++j) acc += p[j * l.inner];
  out[lane] = float(acc);
}

// A split sum, for few long lanes (a sum over all of a large tensor is ONE lane: one thread
// walking 1e8 floats). Pass 1 gives each lane `pieces` threads; piece q sums the lane's
// elements j = q, q + pieces, ... (neighbouring pieces read neighbouring floats when inner is
// 1) into partial[lane pieces + q], in double. The partials are then summed as lanes of
// `pieces` elements, split again while still too long. The order is fixed by the shape alone.
// split_pieces: 1 (no split) for many lanes or short ones; else pieces enough for ~2^17
// threads, each summing at least 64 elements.
SOMA_HD inline int64_t split_pieces(int64_t lanes, int64_t n) {
  constexpr int64_t kManyLanes = int64_t(1) << 15, kShort = 1024, kThreadsWanted = int64_t(1) << 17;
  if (lanes >= kManyLanes || n <= kShort) return 1;
  int64_t pieces = kThreadsWanted / lanes;
  if (pieces > n / 64) pieces = n / 64;
  return pieces < 2 ? 1 : pieces;
}

template <class In>
SOMA_HD inline void lane_piece_sum(const LaneShape& l, const In* x, int64_t pieces, double* partial,
                                   int64_t t) {
  const int64_t lane = t / pieces, q = t % pieces;
  const In* p = x + lane_base(l, lane);
  double acc = 0;
  for (int64_t j = q; j < l.n; j += pieces) acc += p[j * l.inner];
  partial[t] = acc;
}

// Element e = (a n + j) inner + b of out gets scale g[lane (a, b)]: the backward of sum and
// mean, one thread per element (one per lane would leave the backward of a sum over all of a
// large tensor, ONE lane, to one thread writing every element).
SOMA_HD inline void lane_expand_at(const LaneShape& l, const float* g, float scale, float* out,
                                   int64_t e) {
  out[e] = scale * g[(e / (l.n * l.inner)) * l.inner + e % l.inner];
}

// idx: the argmax as a float (exact below 2^24), kept for the backward.
SOMA_HD inline void lane_max(const LaneShape& l, const float* x, float* out, float* idx,
                             int64_t lane) {
  const float* p = x + lane_base(l, lane);
  int64_t arg = 0;
  for (int64_t j = 1; j < l.n; ++j)
    if (p[j * l.inner] > p[arg * l.inner]) arg = j;
  out[lane] = p[arg * l.inner];
  idx[lane] = float(arg);
}

SOMA_HD inline void lane_max_backward(const LaneShape& l, const float* g, const float* idx,
                                      float* gx, int64_t lane) {
  float* o = gx + lane_base(l, lane);
  const int64_t arg = int64_t(idx[lane]);
  for (int64_t j = 0; j < l.n; ++j) o[j * l.inner] = j == arg ? g[lane] : 0.0f;
}

SOMA_HD inline void lane_log_softmax(const LaneShape& l, const float* x, float* y, int64_t lane) {
  const int64_t base = lane_base(l, lane);
  const float* p = x + base;
  float m = p[0];
  for (int64_t j = 1; j < l.n; ++j) m = fmaxf(m, p[j * l.inner]);
  float s = 0;
  for (int64_t j = 0; j < l.n; ++j) s += expf(p[j * l.inner] - m);
  m += logf(s);
  for (int64_t j = 0; j < l.n; ++j) y[base + j * l.inner] = p[j * l.inner] - m;
}

SOMA_HD inline void lane_log_softmax_backward(const LaneShape& l, const float* g, const float* y,
                                              float* gx, int64_t lane) {
  const int64_t base = lane_base(l, lane);
  float dot = 0;
  for (int64_t j = 0; j < l.n; ++j) dot += g[base + j * l.inner];
  for (int64_t j = 0; j < l.n; ++j) {
    const int64_t i = base + j * l.inner;
    gx[i] = g[i] - expf(y[i]) * dot;
  }
}

SOMA_HD inline bool class_index(float t, int64_t classes) {
  return t >= 0 && t < float(classes) && t == floorf(t);
}

SOMA_HD inline void nll_row(int64_t c, const float* lp, const float* target, float* per,
                            int64_t i) {
  const float t = target[i];
  per[i] = class_index(t, c) ? -lp[i * c + int64_t(t)] : NAN;
}

// up: the upstream gradient, g[i] per row (each) or g[0] scale for all (sum, mean).
SOMA_HD inline void nll_row_backward(int64_t c, const float* target, const float* g, float scale,
                                     bool each, float* gx, int64_t i) {
  const float t = target[i], up = each ? g[i] : g[0] * scale;
  const bool ok = class_index(t, c);
  for (int64_t k = 0; k < c; ++k) gx[i * c + k] = ok && k == int64_t(t) ? -up : (ok ? 0.0f : NAN);
}

}  // namespace soma::cuda
