#include <doctest/doctest.h>

#include "core/backend/spike_matmul.hpp"
#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

TEST_CASE("matmul values") {
  Tensor a = Tensor::from({2, 2}, {1, 2, 3, 4}), b = Tensor::from({2, 1}, {5, 6});
  test::check_close(matmul(a, b), {17, 39});
  CHECK_THROWS_AS(matmul(a, Tensor::zeros({3, 1})), std::invalid_argument);
}

TEST_CASE("matmul gradients: shared and batched right operand") {
  Rng rng(4);
  Tensor a = param({2, 3, 4}, rng), b = param({4, 5}, rng), bb = param({2, 4, 5}, rng);
  CHECK(gradcheck([](const Tensors& x) { return matmul(x[0], x[1]); }, {a, b}));
  CHECK(gradcheck([](const Tensors& x) { return matmul(x[0], x[1]); }, {a, bb}));
}

TEST_CASE("linear equals x W^T + b, with gradients") {
  Tensor x = Tensor::from({1, 2}, {1, 2});
  Tensor w = Tensor::from({3, 2}, {1, 0, 0, 1, 1, 1}), b = Tensor::from({3}, {0.5f, 0, -1});
  test::check_close(linear(x, w, b), {1.5f, 2, 2});
  Rng rng(5);
  Tensor xs = param({2, 3, 4}, rng), ws = param({5, 4}, rng), bs = param({5}, rng);
  CHECK(gradcheck([](const Tensors& t) { return linear(t[0], t[1], t[2]); }, {xs, ws, bs}));
  CHECK(gradcheck([](const Tensors& t) { return linear(t[0], t[1]); }, {xs, ws}));
}

TEST_CASE("linear takes the sparse spike path for sparse binary input, with equal results") {
  Rng rng(17);
  Tensor x = Tensor::zeros({40, 30});
  for (auto& v : x.array()) v = rng.uniform() < 0.03f ? 1.0f : 0.0f;
  SpikeRows rows;
  REQUIRE(spike_rows(x.data(), 40, 30, kSpikeDensityThreshold, rows));
  CHECK_FALSE(spike_rows(Tensor::ones({4, 4}).data(), 4, 4, kSpikeDensityThreshold, rows));
  x.requires_grad_();
  Tensor w = test::param({20, 30}, rng), b = test::param({20}, rng);
  Tensor g = Tensor::rand({40, 20}, rng, -1, 1);
  sum(linear(x, w, b) * g).backward();
  Tensors sparse{linear(x, w, b).detach(), x.grad().clone(), w.grad().clone(), b.grad().clone()};
  // The same product through the dense path: x + 0 * noise is not binary.
  for (Tensor t : {x, w, b}) t.zero_grad();
  Tensor dense_x = x + Tensor::full({40, 30}, 1e-30f);
  sum(linear(dense_x, w, b) * g).backward();
  test::check_close(sparse[0], linear(dense_x, w, b).to_vector(), 1e-5f);
  test::check_close(sparse[1], x.grad().to_vector(), 1e-5f);
  test::check_close(sparse[2], w.grad().to_vector(), 1e-5f);
  test::check_close(sparse[3], b.grad().to_vector(), 1e-5f);
}

TEST_CASE("spike_matmul_t: S^T G over several row chunks, column tiles and a row range") {
  // 1313 rows are three chunks of the kernel (512 rows); n = 150 two tiles of columns at
  // AVX-512 (three below), the last partial, read with masked loads.
  const int64_t rows = 1400, cols = 50, n = 150, r0 = 37, r1 = 1350;
  Rng rng(23);
  std::vector<float> x(size_t(rows * cols)), g(size_t((r1 - r0) * n));
  for (auto& v : x) v = rng.uniform() < 0.1f ? 1.0f : 0.0f;
  for (auto& v : g) v = rng.uniform(-1, 1);
  SpikeRows s;
  REQUIRE(spike_rows(x.data(), rows, cols, kSpikeDensityThreshold, s));
  for (float beta : {0.0f, 0.5f}) {
    CAPTURE(beta);
    std::vector<float> c(size_t(cols * n), 2.0f);
    spike_matmul_t(s, r0, r1, cols, g.data(), n, beta, c.data());
    for (int64_t a = 0; a < cols; ++a)
      for (int64_t j = 0; j < n; ++j) {
        double want = beta * 2.0;
        for (int64_t r = r0; r < r1; ++r)
          want += x[size_t(r * cols + a)] * g[size_t((r - r0) * n + j)];
        REQUIRE(c[size_t(a * n + j)] == doctest::Approx(want).epsilon(1e-5));
      }
  }
}
