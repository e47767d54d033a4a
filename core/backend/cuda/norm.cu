// Batch norm on the GPU: per-channel sums in fixed pieces (one thread per piece, then one per
// channel adding its pieces in order), and one thread per element to normalise or to form gx.
// The arithmetic is norm_body.hpp's.
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/norm_body.hpp"
#include "core/backend/cuda/norm_ops.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda {

namespace {

// Device scratch for one call's partial sums. Freed when the call returns, with its kernels
// still queued: the caching allocator hands memory out again only to later work on this same
// stream, which runs after them.
class Scratch {
 public:
  explicit Scratch(int64_t bytes) : p_(allocate(bytes)) {}
  ~Scratch() { deallocate(p_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  double* doubles(int64_t offset = 0) const { return static_cast<double*>(p_) + offset; }

 private:
  void* p_;
};

}  // namespace

void batch_norm_batch_stats(const ChannelShape& s, const float* x, const RunningStats& r,
                            const ChannelStats& st) {
  const int64_t pieces = channel_pieces(s), lanes = s.channels * pieces;
  const Scratch scratch((lanes + s.channels) * int64_t(sizeof(double)));
  double *partial = scratch.doubles(), *mean = scratch.doubles(lanes);
  launch_each(
      lanes, [=] __device__(int64_t t) { channel_piece_sum(s, pieces, x, partial, t); },
      "batch_norm sum");
  launch_each(
      s.channels, [=] __device__(int64_t c) { channel_mean_at(s, pieces, partial, mean, c); },
      "batch_norm mean");
  launch_each(
      lanes, [=] __device__(int64_t t) { channel_piece_sq_dev(s, pieces, x, mean, partial, t); },
      "batch_norm variance");
  launch_each(
      s.channels, [=] __device__(int64_t c) { batch_stats_at(s, pieces, partial, mean, r, st, c); },
      "batch_norm statistics");
}

void batch_norm_running_stats(const ChannelShape& s, const RunningStats& r,
                              const ChannelStats& st) {
  launch_each(
      s.channels, [=] __device__(int64_t c) { running_stats_at(r, st, c); },
      "batch_norm running statistics");
}

void batch_norm_apply(const ChannelShape& s, const float* x, const ChannelStats& st, const float* w,
                      const float* b, float* y, float* xhat) {
  launch_each(
      s.numel(), [=] __device__(int64_t e) { batch_norm_apply_at(s, x, st, w, b, y, xhat, e); },
      "batch_norm");
}

void batch_norm_backward(const ChannelShape& s, const BatchNormGrads& b) {
  // The sums feed gw, gb and, in training, gx; an evaluation that wants only gx skips them.
  const bool sums = b.training || b.gw || b.gb;
  const int64_t pieces = sums ? channel_pieces(s) : 0, lanes = s.channels * pieces;
  // 2 lanes doubles of partial sums, then 3 channels coefficients (floats in doubles' room).
  const Scratch scratch((2 * lanes + 2 * s.channels) * int64_t(sizeof(double)));
  double *psg = scratch.doubles(), *psgh = scratch.doubles(lanes);
  float* coef = reinterpret_cast<float*>(scratch.doubles(2 * lanes));
  launch_each(
      lanes, [=] __device__(int64_t t) { grad_piece_sums(s, pieces, b.g, b.xhat, psg, psgh, t); },
      "batch_norm backward sums");
  launch_each(
      s.channels, [=] __device__(int64_t c) { grad_channel_at(s, pieces, psg, psgh, b, coef, c); },
      "batch_norm backward channels");
  if (!b.gx) return;
  launch_each(
      s.numel(), [=] __device__(int64_t e) { grad_x_at(s, b, coef, e); }, "batch_norm backward");
}

}  // namespace soma::cuda
