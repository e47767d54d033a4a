#include <doctest/doctest.h>

#include <cmath>

#include "core/ops/conv_sparse_grad.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

using namespace soma;

namespace {

struct Geo {
  int64_t n, cin, h, w, cout, k, stride, pad;
};

// conv_input_grad_sparse against conv_backward's input gradient, for an output gradient whose
// entries are non-zero with probability p, images paired group_gap apart (0: alone). The sums run
// in another order: equal to 1e-5 relative to the magnitudes of at most Cout k^2 terms of
// weights and gradients in [-1, 1).
void check_sparse_grad(const Geo& q, double p, int64_t group_gap) {
  const int64_t cin = q.cin, h = q.h, w_ = q.w, cout = q.cout, k = q.k, stride = q.stride;
  CAPTURE(cin);
  CAPTURE(h);
  CAPTURE(w_);
  CAPTURE(cout);
  CAPTURE(k);
  CAPTURE(stride);
  CAPTURE(p);
  CAPTURE(group_gap);
  Rng rng(uint64_t(q.cin * 131 + q.h * 17 + q.cout * 7 + q.k + q.stride * 3 + q.pad));
  Tensor x = Tensor::zeros({q.n, q.cin, q.h, q.w});
  Tensor w = Tensor::rand({q.cout, q.cin, q.k, q.k}, rng, -1, 1);
  ConvGeom g = conv_geom(x, w, Tensor(), {int(q.stride), int(q.pad)});
  Tensor gout = Tensor::rand({q.n, q.cout, g.oh, g.ow}, rng, -1, 1);
  Tensor keep = Tensor::rand(gout.shape(), rng);
  for (int64_t e = 0; e < gout.numel(); ++e)
    if (keep.data()[e] >= p) gout.data()[e] = 0;
  Tensor got = Tensor::zeros(x.shape()), want = Tensor::zeros(x.shape());
  // The gradient is written, not added: whatever gx held before does not show.
  for (int64_t e = 0; e < got.numel(); ++e) got.data()[e] = std::nanf("");
  REQUIRE(conv_input_grad_sparse(g, w.data(), gout.data(), got.data(), 1.0, group_gap));
  conv_backward(g, nullptr, w.data(), gout.data(), want.data(), nullptr);
  const float tol = 1e-5f * float(q.cout * q.k * q.k);
  int64_t bad = 0;
  for (int64_t e = 0; e < got.numel(); ++e)
    bad += std::abs(got.data()[e] - want.data()[e]) > tol * (1 + std::abs(want.data()[e]));
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("conv_input_grad_sparse equals conv_backward's input gradient") {
  const Geo geos[] = {
      {3, 32, 12, 12, 64, 5, 1, 0},  // ConvNet4's conv2
      {2, 5, 7, 9, 3, 3, 1, 1},      // odd sizes, padding, channels not a multiple of 16
      {2, 17, 8, 6, 70, 3, 2, 1},    // stride 2, two words of output channels
      {1, 70, 5, 5, 4, 3, 3, 2},     // more than 64 input channels, stride 3
      {2, 1, 6, 6, 2, 1, 1, 0},      // 1 x 1 kernel
      {5, 3, 11, 13, 5, 3, 1, 1},    // 143 output pixels: three words of pixels, a short tail
  };
  // Pairs: every image paired (gap 1 of 2 images), runs of pairs and images left alone (gap 1
  // or 2 of 3 or 5 images).
  for (const Geo& q : geos)
    for (double p : {0.0, 0.3, 1.0})
      for (int64_t gap : {0, 1, 2}) check_sparse_grad(q, p, gap);
}

TEST_CASE("conv_input_grad_sparse: a pair whose non-zeros nest, and a pair one of which is zero") {
  Rng rng(11);
  Tensor x = Tensor::zeros({4, 32, 12, 12});
  Tensor w = Tensor::rand({64, 32, 5, 5}, rng, -1, 1);
  ConvGeom g = conv_geom(x, w, Tensor(), {});
  Tensor gout = Tensor::rand({4, 64, 8, 8}, rng, -1, 1), keep = Tensor::rand(gout.shape(), rng);
  // Images 0 and 2 a pair (gap 2): 2's non-zeros a subset of 0's; 1 and 3: 3 is all zeros.
  const int64_t size = g.out_size();
  for (int64_t e = 0; e < size; ++e) {
    float* v = gout.data();
    if (keep.data()[e] >= 0.3f) v[e] = 0;
    if (v[e] == 0 || keep.data()[2 * size + e] >= 0.5f) v[2 * size + e] = 0;
    v[3 * size + e] = 0;
  }
  Tensor got = Tensor::zeros(x.shape()), want = Tensor::zeros(x.shape());
  REQUIRE(conv_input_grad_sparse(g, w.data(), gout.data(), got.data(), 1.0, 2));
  conv_backward(g, nullptr, w.data(), gout.data(), want.data(), nullptr);
  int64_t bad = 0;
  for (int64_t e = 0; e < got.numel(); ++e)
    bad += std::abs(got.data()[e] - want.data()[e]) > 1e-5f * 1600 * (1 + std::abs(want.data()[e]));
  CHECK(bad == 0);
  for (int64_t e = 3 * g.in_size(); e < 4 * g.in_size(); ++e) REQUIRE(got.data()[e] == 0);
}

TEST_CASE("conv_input_grad_sparse leaves dense gradients to the GEMM") {
  Tensor x = Tensor::zeros({2, 3, 6, 6}), w = Tensor::ones({4, 3, 3, 3});
  ConvGeom g = conv_geom(x, w, Tensor(), {});
  Tensor gout = Tensor::ones({2, 4, 4, 4}), gx = Tensor::zeros(x.shape());
  CHECK_FALSE(conv_input_grad_sparse(g, w.data(), gout.data(), gx.data(), 0.5));
  for (int64_t e = 0; e < gx.numel(); ++e) REQUIRE(gx.data()[e] == 0);
  gout.data()[0] = 0;
  CHECK(conv_input_grad_sparse(g, w.data(), gout.data(), gx.data(), 1.0));
}
