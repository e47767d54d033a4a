// The CUDA batch norm (core/backend/cuda/norm_body.hpp) on the host against the CPU's
// batch_norm: the passes of norm.cu in loops standing in for the grid, values, running
// statistics and all gradients, training and evaluation, with and without affine, 2-D and 4-D
// inputs, channels summed in one piece and in many. What this cannot see (the .cu launches)
// is left to tests/cuda/test_cuda_norm.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "bn_cases.hpp"
#include "core/backend/cuda/norm_body.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/norm.hpp"
#include "core/ops/reduce.hpp"
#include "scale_close.hpp"

using namespace soma;
using test::BnCase;

namespace {

using test::check_close_to_scale;
using test::random_tensor;
using Floats = std::vector<float>;
using Doubles = std::vector<double>;

// norm.cu's batch_norm_batch_stats: four passes, each a loop over its grid.
void host_batch_stats(const cuda::ChannelShape& s, const float* x, const cuda::RunningStats& r,
                      const cuda::ChannelStats& st) {
  const int64_t pieces = cuda::channel_pieces(s), lanes = s.channels * pieces;
  Doubles partial(static_cast<size_t>(lanes)), mean(static_cast<size_t>(s.channels));
  for (int64_t t = 0; t < lanes; ++t) cuda::channel_piece_sum(s, pieces, x, partial.data(), t);
  for (int64_t c = 0; c < s.channels; ++c)
    cuda::channel_mean_at(s, pieces, partial.data(), mean.data(), c);
  for (int64_t t = 0; t < lanes; ++t)
    cuda::channel_piece_sq_dev(s, pieces, x, mean.data(), partial.data(), t);
  for (int64_t c = 0; c < s.channels; ++c)
    cuda::batch_stats_at(s, pieces, partial.data(), mean.data(), r, st, c);
}

// norm.cu's batch_norm_backward.
void host_backward(const cuda::ChannelShape& s, const cuda::BatchNormGrads& b) {
  const bool sums = b.training || b.gw || b.gb;
  const int64_t pieces = sums ? cuda::channel_pieces(s) : 0, lanes = s.channels * pieces;
  Doubles psg(static_cast<size_t>(lanes)), psgh(static_cast<size_t>(lanes));
  Floats coef(size_t(3 * s.channels));
  for (int64_t t = 0; t < lanes; ++t)
    cuda::grad_piece_sums(s, pieces, b.g, b.xhat, psg.data(), psgh.data(), t);
  for (int64_t c = 0; c < s.channels; ++c)
    cuda::grad_channel_at(s, pieces, psg.data(), psgh.data(), b, coef.data(), c);
  if (b.gx)
    for (int64_t e = 0; e < s.numel(); ++e) cuda::grad_x_at(s, b, coef.data(), e);
}

float* ptr_or_null(Floats& v) {
  return v.empty() ? nullptr : v.data();
}
const float* ptr_or_null(const Floats& v) {
  return v.empty() ? nullptr : v.data();
}

void check_bn_case(const BnCase& k) {
  const int64_t C = k.shape[1];
  const float momentum = 0.3f, eps = 1e-5f;
  // A mean away from 0 and spread unlike 1, so the statistics matter.
  Tensor x = random_tensor(k.shape, 1, -1.0f, 3.0f).requires_grad_();
  Tensor w = k.affine ? random_tensor({C}, 2, 0.5f, 1.5f).requires_grad_() : Tensor();
  Tensor b = k.affine ? random_tensor({C}, 3).requires_grad_() : Tensor();
  Tensor rm = k.track ? random_tensor({C}, 4, -0.5f, 0.5f) : Tensor();
  Tensor rv = k.track ? random_tensor({C}, 5, 0.5f, 1.5f) : Tensor();
  Floats rm_h = k.track ? rm.to_vector() : Floats(), rv_h = k.track ? rv.to_vector() : Floats();
  Tensor y = batch_norm(x, rm, rv, w, b, k.training, momentum, eps);  // rm, rv in place

  cuda::ChannelShape s{k.shape[0], C, 1};
  for (size_t d = 2; d < k.shape.size(); ++d) s.inner *= k.shape[d];
  const Floats xs = x.to_vector(), ws = k.affine ? w.to_vector() : Floats();
  const Floats bs = k.affine ? b.to_vector() : Floats();
  Floats shift(size_t(C), NAN), invstd(size_t(C), NAN), yh(xs.size(), NAN), xhat(xs.size(), NAN);
  const cuda::RunningStats r{ptr_or_null(rm_h), ptr_or_null(rv_h), momentum, eps};
  const cuda::ChannelStats st{shift.data(), invstd.data()};
  if (k.training)
    host_batch_stats(s, xs.data(), r, st);
  else
    for (int64_t c = 0; c < C; ++c) cuda::running_stats_at(r, st, c);
  for (int64_t e = 0; e < s.numel(); ++e)
    cuda::batch_norm_apply_at(s, xs.data(), st, k.affine ? ws.data() : nullptr,
                              k.affine ? bs.data() : nullptr, yh.data(), xhat.data(), e);
  check_close_to_scale(y.to_vector(), yh);
  if (k.track) {
    check_close_to_scale(rm.to_vector(), rm_h);
    check_close_to_scale(rv.to_vector(), rv_h);
  }

  Tensor g = random_tensor(y.shape(), 6);
  sum(y * g).backward();
  const Floats gs = g.to_vector();
  Floats gx(xs.size(), NAN), gw(k.affine ? size_t(C) : 0, NAN), gb(gw.size(), NAN);
  cuda::BatchNormGrads grads{gs.data(),  xhat.data(), invstd.data(),   ptr_or_null(ws),
                             k.training, gx.data(),   ptr_or_null(gw), ptr_or_null(gb)};
  host_backward(s, grads);
  check_close_to_scale(x.grad().to_vector(), gx);
  if (k.affine) {
    check_close_to_scale(w.grad().to_vector(), gw);
    check_close_to_scale(b.grad().to_vector(), gb);
  }
  // gx alone (an evaluation then skips the sums): the same values.
  Floats gx_only(xs.size(), NAN);
  grads.gx = gx_only.data();
  grads.gw = grads.gb = nullptr;
  host_backward(s, grads);
  CHECK(gx_only == gx);
}

}  // namespace

TEST_CASE("cuda bodies: batch norm equals batch_norm: values, running statistics, gradients") {
  // (8, 2, 16, 16): 2048 values a channel, summed in 32 pieces; the others in one.
  test::for_each_bn_case({{5, 3}, {64, 4}, {3, 4, 5, 6}, {8, 2, 16, 16}}, check_bn_case);
}

TEST_CASE("cuda bodies: batch norm's pieces cover each value of a channel once") {
  const cuda::ChannelShape s{3, 2, 700};  // 2100 values a channel: 32 pieces
  const int64_t pieces = cuda::channel_pieces(s);
  CHECK(pieces == 32);
  CHECK(cuda::channel_pieces({64, 4, 1}) == 1);
  Floats x(size_t(s.numel()));
  for (size_t e = 0; e < x.size(); ++e) x[e] = float(e);  // exact in double sums
  Doubles partial(size_t(s.channels * pieces));
  for (int64_t t = 0; t < s.channels * pieces; ++t)
    cuda::channel_piece_sum(s, pieces, x.data(), partial.data(), t);
  for (int64_t c = 0; c < s.channels; ++c) {
    double want = 0;
    for (int64_t e = 0; e < s.numel(); ++e)
      if (s.channel_of(e) == c) want += double(e);
    CHECK(cuda::channel_total(partial.data(), pieces, c) == want);
  }
}
