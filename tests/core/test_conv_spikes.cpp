#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/ops/conv_spikes.hpp"
#include "core/ops/elementwise.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

// A 0/1 tensor with each element 1 with probability p.
Tensor spike_images(const Shape& shape, double p, Rng& rng) {
  Tensor u = Tensor::rand(shape, rng);
  Tensor x = Tensor::zeros(shape);
  for (int64_t e = 0; e < x.numel(); ++e) x.data()[e] = u.data()[e] < p ? 1.0f : 0.0f;
  return x;
}

// The spike path sums the same products (w * 1) as the GEMM in another order: equal to 1e-5
// relative to the sum of magnitudes, bounded here by 1 + |want| for weights in [-1, 1) and at
// most K = 60 terms (the GEMM's blocking and the scatter's order each err by ~K eps |terms|).
void check_near(const Tensor& got, const Tensor& want) {
  REQUIRE(got.numel() == want.numel());
  for (int64_t e = 0; e < got.numel(); ++e) {
    const float g = got.data()[e], w = want.data()[e];
    CHECK_MESSAGE(std::abs(g - w) <= 1e-5f * (1.0f + std::abs(w)) * 4,
                  "element " << e << ": got " << g << " want " << w);
  }
}

struct Geo {
  int64_t cin, h, w, cout, k, stride, pad;
};

// conv_forward_spikes and conv_weight_grad_spikes against conv_forward and conv_backward, on
// images [first, first + n) of a batch, with and without bias. n = 5: the weight gradient takes
// two pairs of images and one alone where L <= 64.
void check_geometry(const Geo& q, double p) {
  Rng rng(uint64_t(q.cin * 131 + q.h * 17 + q.cout * 7 + q.k + q.stride * 3 + q.pad));
  const int64_t n = 5, first = 2;
  Tensor x = p >= 1 ? Tensor::ones({n + first, q.cin, q.h, q.w})
                    : spike_images({n + first, q.cin, q.h, q.w}, p, rng);
  Tensor w = Tensor::rand({q.cout, q.cin, q.k, q.k}, rng, -1, 1);
  Tensor b = Tensor::rand({q.cout}, rng, -1, 1);
  ConvGeom all = conv_geom(x, w, b, {int(q.stride), int(q.pad)});
  SpikeRows s;
  REQUIRE(spike_rows(x.data(), all.n, all.in_size(), 1.0, s));  // any density, for the kernel
  ConvGeom g = all;
  g.n = n;
  const float* xf = x.data() + first * g.in_size();
  Tensor gout = Tensor::rand({n, q.cout, g.oh, g.ow}, rng, -1, 1);
  for (bool bias : {true, false}) {
    CAPTURE(bias);
    Tensor got = Tensor::zeros(gout.shape()), want = Tensor::zeros(gout.shape());
    conv_forward_spikes(g, s, first, w.data(), bias ? b.data() : nullptr, got.data());
    conv_forward(g, xf, w.data(), bias ? b.data() : nullptr, want.data());
    check_near(got, want);
  }
  Tensor gw_got = Tensor::ones(w.shape()), gw_want = Tensor::ones(w.shape());  // accumulates
  conv_weight_grad_spikes(g, s, first, gout.data(), gw_got.data());
  conv_backward(g, xf, w.data(), gout.data(), nullptr, gw_want.data());
  check_near(gw_got, gw_want);
}

}  // namespace

TEST_CASE("conv of spike images equals im2col + GEMM: strides, padding, odd widths, densities") {
  const Geo geos[] = {
      {32, 12, 12, 64, 5, 1, 0},  // ConvNet4's conv2
      {3, 7, 9, 17, 3, 1, 1},     // Cout not a multiple of 16
      {2, 8, 5, 3, 3, 2, 1},      // stride 2, odd width
      {1, 6, 7, 20, 2, 3, 0},     // stride larger than the kernel: skipped pixels
      {2, 4, 4, 5, 3, 1, 3},      // padding larger than the kernel
      {4, 5, 5, 33, 1, 1, 0},     // pointwise
      {2, 20, 20, 8, 5, 1, 0},    // rows too wide to pack, 256 output pixels: 64-bit kernels
      {70, 3, 3, 4, 1, 1, 0},     // pointwise, 70 channels in groups of 3, the last of 1
  };
  for (const Geo& q : geos)
    for (double p : {0.0, 0.12, 0.5, 1.0}) {
      CAPTURE(q.cin);
      CAPTURE(q.h);
      CAPTURE(q.w);
      CAPTURE(q.cout);
      CAPTURE(q.k);
      CAPTURE(q.stride);
      CAPTURE(q.pad);
      CAPTURE(p);
      check_geometry(q, p);
    }
}

TEST_CASE("conv_spike_images takes only sparse 0/1 images") {
  Rng rng(3);
  Tensor w = Tensor::zeros({2, 3, 3, 3});
  SpikeRows s;
  auto geo = [&](const Tensor& x) { return conv_geom(x, w, Tensor(), {1, 1}); };
  Tensor sparse = spike_images({4, 3, 6, 6}, 0.1, rng);
  CHECK(conv_spike_images(geo(sparse), sparse.data(), s));
  CHECK(s.row_start.size() == 5);
  Tensor zero = Tensor::zeros({4, 3, 6, 6});
  CHECK(conv_spike_images(geo(zero), zero.data(), s));
  CHECK(s.cols.empty());
  Tensor ones = Tensor::ones({4, 3, 6, 6});  // dense: the GEMM is faster
  CHECK_FALSE(conv_spike_images(geo(ones), ones.data(), s));
  Tensor scaled = sparse * 0.5f;  // not spikes
  CHECK_FALSE(conv_spike_images(geo(scaled), scaled.data(), s));
  Tensor wide = Tensor::zeros({1, 3, 2, 63});  // 65 padded columns: more than a mask holds
  CHECK_FALSE(conv_spike_images(geo(wide), wide.data(), s));
  Tensor widest = Tensor::zeros({1, 3, 2, 62});
  CHECK(conv_spike_images(geo(widest), widest.data(), s));
}
