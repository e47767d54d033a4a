// Reductions along one dimension, log-softmax and NLL on the GPU: one thread per lane (bodies
// and layout in reduce_body.hpp). A lane walks its n elements serially, which suits the
// training loop's shapes (max over T = 32 steps of 2560 lanes, log-softmax over 10 classes of
// 256 rows). A sum over few long lanes (all elements of a large tensor: one lane) is split over
// many threads in passes instead (split_lane_sum).
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/reduce_body.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda {

namespace {

int64_t lanes_of(const LaneShape& l) {
  return l.outer * l.inner;
}

}  // namespace

// The sum of each lane of x (float, or double partials), split over more threads while the
// lanes are few and long (split_pieces, reduce_body.hpp).
template <class In>
void split_lane_sum(const LaneShape& l, const In* x, float* out) {
  const int64_t lanes = lanes_of(l), pieces = split_pieces(lanes, l.n);
  if (pieces <= 1) {
    launch_each(
        lanes, [=] __device__(int64_t k) { lane_sum(l, x, out, k); }, "lane_sum");
    return;
  }
  // Freed at once: the caching allocator hands memory out again only to later work on this
  // same stream, which runs after these kernels.
  double* partial = static_cast<double*>(allocate(lanes * pieces * int64_t(sizeof(double))));
  launch_each(
      lanes * pieces, [=] __device__(int64_t t) { lane_piece_sum(l, x, pieces, partial, t); },
      "lane_sum pieces");
  split_lane_sum<double>({lanes, pieces, 1}, partial, out);
  deallocate(partial);
}

void lane_sum(const LaneShape& l, const float* x, float* out) {
  split_lane_sum<float>(l, x, out);
}

void lane_expand(const LaneShape& l, const float* g, float scale, float* out) {
  launch_each(
      lanes_of(l) * l.n, [=] __device__(int64_t e) { lane_expand_at(l, g, scale, out, e); },
      "lane_expand");
}

void lane_max(const LaneShape& l, const float* x, float* out, float* idx) {
  launch_each(
      lanes_of(l), [=] __device__(int64_t k) { lane_max(l, x, out, idx, k); }, "lane_max");
}

void lane_max_backward(const LaneShape& l, const float* g, const float* idx, float* gx) {
  launch_each(
      lanes_of(l), [=] __device__(int64_t k) { lane_max_backward(l, g, idx, gx, k); },
      "lane_max_backward");
}

void log_softmax_forward(const LaneShape& l, const float* x, float* y) {
  launch_each(
      lanes_of(l), [=] __device__(int64_t k) { lane_log_softmax(l, x, y, k); }, "log_softmax");
}

void log_softmax_backward(const LaneShape& l, const float* g, const float* y, float* gx) {
  launch_each(
      lanes_of(l), [=] __device__(int64_t k) { lane_log_softmax_backward(l, g, y, gx, k); },
      "log_softmax backward");
}

void nll_forward(int64_t n, int64_t c, const float* lp, const float* target, float* per) {
  launch_each(
      n, [=] __device__(int64_t i) { nll_row(c, lp, target, per, i); }, "nll_loss");
}

void nll_backward(int64_t n, int64_t c, const float* target, const float* g, float scale, bool each,
                  float* gx) {
  launch_each(
      n, [=] __device__(int64_t i) { nll_row_backward(c, target, g, scale, each, gx, i); },
      "nll_loss backward");
}

}  // namespace soma::cuda
