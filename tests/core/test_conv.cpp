#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

namespace {

// Direct six-loop convolution, the reference for im2col + GEMM.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int s, int p) {
  int64_t n = x.size(0), ci = x.size(1), h = x.size(2), wd = x.size(3);
  int64_t co = w.size(0), kh = w.size(2), kw = w.size(3);
  int64_t oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1;
  Tensor out = Tensor::zeros({n, co, oh, ow});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < co; ++o)
      for (int64_t r = 0; r < oh; ++r)
        for (int64_t c = 0; c < ow; ++c) {
          float acc = b.defined() ? b.at({o}) : 0.0f;
          for (int64_t k = 0; k < ci; ++k)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                int64_t y = r * s - p + u, z = c * s - p + v;
                if (y >= 0 && y < h && z >= 0 && z < wd)
                  acc += x.at({i, k, y, z}) * w.at({o, k, u, v});
              }
          out.at({i, o, r, c}) = acc;
        }
  return out;
}

// A leaf whose values are a shuffled 0.1-spaced ladder: no two elements are within a
// finite-difference step of each other, so max pooling's argmax is stable under gradcheck.
Tensor distinct_param(const Shape& shape, Rng& rng) {
  std::vector<float> v(size_t(numel_of(shape)));
  std::iota(v.begin(), v.end(), 0.0f);
  rng.shuffle(v);
  for (float& e : v) e = 0.1f * e - 1.0f;
  Tensor t = Tensor::from(shape, v);
  t.requires_grad_();
  return t;
}

template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

const Tensor kImage = Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});

}  // namespace

TEST_CASE("conv2d: 3x3 image, 2x2 kernel, by hand") {
  // x = 1 2 3   w = 1 2   out[r][c] = x[r][c] + 2 x[r][c+1] + 3 x[r+1][c] + 4 x[r+1][c+1] + 0.5
  //     4 5 6       3 4   out[0][0] = 1 + 4 + 12 + 20 + 0.5 = 37.5,  out[0][1] = 2 + 6 + 15 + 24 +
  //     0.5 = 47.5 7 8 9             out[1][0] = 4 + 10 + 21 + 32 + 0.5 = 67.5, out[1][1] = 5 + 12
  //     + 24 + 36 + 0.5 = 77.5
  Tensor w = Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4}), b = Tensor::from({1}, {0.5f});
  Tensor y = conv2d(kImage, w, b);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  test::check_close(y, {37.5f, 47.5f, 67.5f, 77.5f});
}

TEST_CASE("conv2d: padding 1 and stride 2, by hand") {
  // Zero-padded to 5x5, windows start at input rows/cols -1 and 1; output (3 + 2 - 2) / 2 + 1 = 2.
  //   top-left     [0 0; 0 1] . [1 2; 3 4] = 4
  //   top-right    [0 0; 2 3] . [1 2; 3 4] = 6 + 12 = 18
  //   bottom-left  [0 4; 0 7] . [1 2; 3 4] = 8 + 28 = 36
  //   bottom-right [5 6; 8 9] . [1 2; 3 4] = 5 + 12 + 24 + 36 = 77
  Tensor w = Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor y = conv2d(kImage, w, Tensor(), {.stride = 2, .padding = 1});
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  test::check_close(y, {4, 18, 36, 77});
}

TEST_CASE("conv2d matches a direct convolution for several geometries") {
  Rng rng(11);
  struct Case {
    Shape x, w;
    int stride, padding;
  };
  for (const Case& c :
       {Case{{3, 2, 7, 6}, {4, 2, 3, 3}, 1, 0}, Case{{2, 3, 8, 9}, {5, 3, 3, 2}, 2, 1},
        Case{{2, 2, 5, 5}, {3, 2, 1, 1}, 1, 0}, Case{{1, 1, 6, 5}, {2, 1, 4, 3}, 3, 2},
        Case{{17, 2, 4, 4}, {3, 2, 2, 2}, 1, 1}, Case{{1, 2, 3, 2}, {2, 2, 2, 2}, 2, 3},
        Case{{1, 1, 1, 1}, {1, 1, 6, 6}, 1, 3}}) {
    Tensor x = Tensor::randn(c.x, rng), w = Tensor::randn(c.w, rng),
           b = Tensor::randn({c.w[0]}, rng);
    Tensor want = naive_conv2d(x, w, b, c.stride, c.padding);
    Tensor got = conv2d(x, w, b, {c.stride, c.padding});
    REQUIRE(got.shape() == want.shape());
    test::check_close(got, want.to_vector(), 1e-4f);
  }
}

TEST_CASE("conv2d gradients: stride, padding, pointwise, with and without bias") {
  Rng rng(12);
  Tensor x = param({2, 2, 5, 4}, rng), w = param({3, 2, 3, 2}, rng), b = param({3}, rng);
  for (Conv2dOptions opt : {Conv2dOptions{1, 0}, Conv2dOptions{2, 1}, Conv2dOptions{1, 2}}) {
    CAPTURE(opt.stride);
    CAPTURE(opt.padding);
    CHECK(gradcheck([opt](const Tensors& t) { return conv2d(t[0], t[1], t[2], opt); }, {x, w, b}));
    CHECK(gradcheck([opt](const Tensors& t) { return conv2d(t[0], t[1], Tensor(), opt); }, {x, w}));
  }
  // Padding wider than the image: whole tap rows and columns fall outside it.
  CHECK(gradcheck(
      [](const Tensors& t) {
        return conv2d(t[0], t[1], t[2], {1, 3});
      },
      {param({2, 1, 2, 1}, rng), param({1, 1, 6, 6}, rng), param({1}, rng)}));
  Tensor w1 = param({4, 2, 1, 1}, rng);
  CHECK(gradcheck([](const Tensors& t) { return conv2d(t[0], t[1], t[2]); },
                  {x, w1, param({4}, rng)}));
}

TEST_CASE("conv2d gradients over a batch larger than the chunk count") {
  Rng rng(13);
  Tensor x = param({19, 1, 3, 3}, rng), w = param({2, 1, 2, 2}, rng), b = param({2}, rng);
  CHECK(gradcheck([](const Tensors& t) { return conv2d(t[0], t[1], t[2], {1, 1}); }, {x, w, b}));
}

TEST_CASE("conv2d skips gradients nobody asked for") {
  Rng rng(14);
  Tensor x = Tensor::randn({2, 1, 4, 4}, rng), w = param({2, 1, 3, 3}, rng);
  sum(conv2d(x, w)).backward();
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("conv2d rejects bad shapes with a message naming them") {
  Tensor x = Tensor::zeros({1, 2, 4, 4});
  std::string m = invalid_argument_message([&] { conv2d(x, Tensor::zeros({3, 1, 2, 2})); });
  CHECK(m.find("(1, 2, 4, 4)") != std::string::npos);
  CHECK(m.find("(3, 1, 2, 2)") != std::string::npos);
  CHECK_THROWS_AS(conv2d(Tensor::zeros({2, 4, 4}), Tensor::zeros({1, 2, 2, 2})),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Tensor::zeros({1, 2, 5, 5})), std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Tensor::zeros({3, 2, 2, 2}), Tensor::zeros({2})),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Tensor::zeros({3, 2, 2, 2}), Tensor(), {0, 0}), std::invalid_argument);
}

TEST_CASE("max_pool2d and avg_pool2d: 2x2 windows, by hand") {
  // Windows of x: [1 9; 4 5] [2 3; 8 7] [6 0; 3 2] [1 2; 5 4]
  //   max: 9 8 6 5     avg: 19/4 = 4.75, 20/4 = 5, 11/4 = 2.75, 12/4 = 3
  Tensor x = Tensor::from({1, 1, 4, 4}, {1, 9, 2, 3, 4, 5, 8, 7, 6, 0, 1, 2, 3, 2, 5, 4});
  x.requires_grad_();
  Tensor mx = max_pool2d(x, 2);
  CHECK(mx.shape() == Shape{1, 1, 2, 2});
  test::check_close(mx, {9, 8, 6, 5});
  sum(mx).backward();  // the gradient reaches the argmax of each window only
  test::check_close(x.grad(), {0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0});
  x.zero_grad();
  Tensor av = avg_pool2d(x, 2);
  test::check_close(av, {4.75f, 5, 2.75f, 3});
  sum(av).backward();
  test::check_close(x.grad(), std::vector<float>(16, 0.25f));
}

TEST_CASE("pooling with padding: max pads with -inf, avg counts the padding") {
  // kernel 3, stride 2, padding 1 on the 3x3 image; windows cover rows/cols {-1,0,1} and {1,2,3},
  // i.e. the real 2x2 corners [1 2; 4 5] [2 3; 5 6] [4 5; 7 8] [5 6; 8 9].
  //   avg divides by 9 (count_include_pad): 12/9, 16/9, 24/9, 28/9
  test::check_close(avg_pool2d(kImage, 3, 2, 1), {12 / 9.0f, 16 / 9.0f, 24 / 9.0f, 28 / 9.0f});
  test::check_close(max_pool2d(kImage, 3, 2, 1), {5, 6, 8, 9});
  // All negative: zero padding would win every window, -inf padding never does.
  test::check_close(max_pool2d(-kImage, 3, 2, 1), {-1, -2, -4, -5});
}

TEST_CASE("pooling gradients: default stride, overlapping windows, padding") {
  Rng rng(15);
  Tensor x = distinct_param({2, 3, 6, 5}, rng);
  struct Case {
    int k, s, p;
  };
  for (Case c : {Case{2, 0, 0}, Case{3, 2, 1}, Case{3, 1, 0}, Case{2, 1, 1}}) {
    CAPTURE(c.k);
    CAPTURE(c.s);
    CAPTURE(c.p);
    CHECK(gradcheck([c](const Tensors& t) { return max_pool2d(t[0], c.k, c.s, c.p); }, {x}));
    CHECK(gradcheck([c](const Tensors& t) { return avg_pool2d(t[0], c.k, c.s, c.p); }, {x}));
  }
}

TEST_CASE("pooling rejects bad arguments") {
  Tensor x = Tensor::zeros({1, 1, 4, 4});
  std::string m = invalid_argument_message([&] { max_pool2d(x, 2, 2, 2); });
  CHECK(m.find("padding") != std::string::npos);
  CHECK(m.find("(1, 1, 4, 4)") != std::string::npos);
  CHECK_THROWS_AS(avg_pool2d(Tensor::zeros({4, 4}), 2), std::invalid_argument);
  CHECK_THROWS_AS(max_pool2d(x, 5), std::invalid_argument);
  CHECK_THROWS_AS(avg_pool2d(x, 0), std::invalid_argument);
}

TEST_CASE("conv2d and pooling on a threaded-size batch agree with image-by-image results") {
  Rng rng(16);
  // 8 * 8 * 27 * 256 multiply-adds and 8 * 8 * 576 pooled inputs: above both threading cutoffs.
  Tensor x = param({8, 3, 16, 16}, rng), w = param({8, 3, 3, 3}, rng), b = param({8}, rng);
  Tensor y = conv2d(x, w, b, {1, 1});
  Tensor gy = Tensor::randn(y.shape(), rng);
  y.backward(gy);
  Tensor w_sum = Tensor::zeros(w.shape()), b_sum = Tensor::zeros(b.shape());
  for (int64_t i = 0; i < 8; ++i) {
    Tensor xi = slice(x, 0, i, i + 1).detach().clone(), wi = w.detach().clone();
    Tensor bi = b.detach().clone();
    xi.requires_grad_();
    wi.requires_grad_();
    bi.requires_grad_();
    Tensor yi = conv2d(xi, wi, bi, {1, 1});
    test::check_close(yi, slice(y, 0, i, i + 1).detach().clone().to_vector(), 1e-4f);
    yi.backward(slice(gy, 0, i, i + 1).clone());
    test::check_close(xi.grad(), slice(x.grad(), 0, i, i + 1).clone().to_vector(), 1e-4f);
    w_sum.array() += wi.grad().array();
    b_sum.array() += bi.grad().array();
  }
  test::check_close(w.grad(), w_sum.to_vector(), 1e-3f);
  test::check_close(b.grad(), b_sum.to_vector(), 1e-3f);

  Tensor p = param({8, 8, 24, 24}, rng);
  for (auto pool : {max_pool2d, avg_pool2d}) {
    p.zero_grad();
    Tensor q = pool(p, 3, 2, 1);
    Tensor gq = Tensor::randn(q.shape(), rng);
    q.backward(gq);
    for (int64_t i = 0; i < 8; ++i) {
      Tensor pi = slice(p, 0, i, i + 1).detach().clone();
      pi.requires_grad_();
      Tensor qi = pool(pi, 3, 2, 1);
      test::check_close(qi, slice(q, 0, i, i + 1).detach().clone().to_vector());
      qi.backward(slice(gq, 0, i, i + 1).clone());
      test::check_close(pi.grad(), slice(p.grad(), 0, i, i + 1).clone().to_vector());
    }
  }
}

TEST_CASE("max_pool2d ties go to the first maximum and NaN propagates, as torch") {
  // One 2x2 window [3 3; 1 3]: the gradient goes to the first 3. Then [1 NaN; 5 NaN]: the
  // output is NaN and, since every NaN replaces the running maximum, the last NaN wins.
  float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from({2, 1, 2, 2}, {3, 3, 1, 3, 1, nan, 5, nan});
  x.requires_grad_();
  Tensor y = max_pool2d(x, 2);
  CHECK(y.data()[0] == 3);
  CHECK(std::isnan(y.data()[1]));
  y.backward(Tensor::ones(y.shape()));
  test::check_close(x.grad(), {1, 0, 0, 0, 0, 0, 0, 1});
}
