// gemm_cuda's cuBLAS arguments (core/backend/cuda/cublas_args.hpp) on the host: a column-major
// reference SGEMM that checks them as BLAS does (xerbla's leading-dimension rules) runs them
// against the CPU's row-major GEMM, for every transpose pair and for k = 0.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/backend/cuda/cublas_args.hpp"
#include "core/backend/gemm.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

// cublasSgemm's contract on host memory: false where BLAS would refuse the arguments.
bool column_major_sgemm(const cuda::CublasGemmArgs& g, float alpha, float beta, float* c) {
  const int64_t rows_first = g.trans_first ? g.k : g.m, rows_second = g.trans_second ? g.n : g.k;
  if (g.m < 0 || g.n < 0 || g.k < 0 || g.ld_first < std::max<int64_t>(1, rows_first) ||
      g.ld_second < std::max<int64_t>(1, rows_second) || g.ldc < std::max<int64_t>(1, g.m))
    return false;
  for (int64_t j = 0; j < g.n; ++j)
    for (int64_t i = 0; i < g.m; ++i) {
      float acc = 0;
      for (int64_t l = 0; l < g.k; ++l) {
        const float x = g.trans_first ? g.first[l + i * g.ld_first] : g.first[i + l * g.ld_first];
        const float y =
            g.trans_second ? g.second[j + l * g.ld_second] : g.second[l + j * g.ld_second];
        acc += x * y;
      }
      float& out = c[i + j * g.ldc];
      out = alpha * acc + (beta == 0 ? 0.0f : beta * out);
    }
  return true;
}

std::vector<float> random_values(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(size_t(std::max<int64_t>(n, 1)));
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

}  // namespace

TEST_CASE("cuda gemm args: cuBLAS's column-major call computes the row-major GEMM") {
  struct Dims {
    int64_t m, n, k;
  };
  for (const Dims d : {Dims{5, 7, 3}, Dims{1, 4, 6}, Dims{3, 2, 0}})
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        CAPTURE(d.m);
        CAPTURE(d.n);
        CAPTURE(d.k);
        CAPTURE(ta);
        CAPTURE(tb);
        const std::vector<float> a = random_values(d.m * d.k, 1), b = random_values(d.k * d.n, 2);
        std::vector<float> want = random_values(d.m * d.n, 3), got = want;
        gemm(ta, tb, d.m, d.n, d.k, 0.5f, a.data(), b.data(), 0.25f, want.data());
        const cuda::CublasGemmArgs g =
            cuda::cublas_gemm_args(ta, tb, d.m, d.n, d.k, a.data(), b.data());
        REQUIRE(column_major_sgemm(g, 0.5f, 0.25f, got.data()));
        test::check_close_to_scale(want, got);
      }
}
