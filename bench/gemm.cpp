// GEMM throughput through soma::gemm for the shapes Soma's layers use. This is the floor every
// SNN layer benchmark is compared with: a fused Linear -> neuron layer cannot beat its GEMMs.
//   forward      y  = x W^T   (T*B x n) (n x n)^T
//   grad input   gx = g W     (T*B x n) (n x n)
//   grad weight  gW = g^T x   (n x T*B) (T*B x n)
// Shapes: the training shape T = 500, B = 16 (T*B = 8000 rows) with n in {512, 1024, 2048}, and
// Norse's inference benchmark T = 1000, B = 32, N = 1000 (32000 rows). About 10 s on two cores
// with AVX-512; the last column is per time step, the unit SNN layer benchmarks report.
// Usage: bench_gemm [--quick]   (--quick: n = 2048 left out, one repeat)
#include "core/backend/gemm.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "bench/bench_args.hpp"
#include "core/backend/openmp_env.hpp"
#include "core/random/rng.hpp"

namespace {

struct Case {
  const char* what;
  bool trans_a, trans_b;
  int64_t m, n, k;
  int64_t steps;  // time steps the rows stand for, for the per-step column
};

std::vector<float> random_matrix(int64_t size, soma::Rng& rng) {
  std::vector<float> v(size);
  for (auto& x : v) x = rng.uniform(-1, 1);
  return v;
}

double seconds(const Case& c, const float* a, const float* b, float* out) {
  const auto start = std::chrono::steady_clock::now();
  soma::gemm(c.trans_a, c.trans_b, c.m, c.n, c.k, 1, a, b, 0, out);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  const bool quick =
      soma::bench::parse_bench_args(
          argc, argv, "Usage: bench_gemm [--quick]   (--quick: n = 2048 left out, one repeat)",
          {{"--quick"}})
          .has("--quick");
  const int repeats = quick ? 1 : 3;
  // All cores, unless OMP_NUM_THREADS says otherwise.
  if (!std::getenv("OMP_NUM_THREADS"))
    Eigen::setNbThreads(int(std::thread::hardware_concurrency()));

  std::vector<Case> cases;
  for (int64_t n : {512, 1024, 2048}) {
    if (quick && n == 2048) continue;
    const int64_t rows = 500 * 16;
    cases.push_back({"forward      x W^T", false, true, rows, n, n, 500});
    cases.push_back({"grad input   g W  ", false, false, rows, n, n, 500});
    cases.push_back({"grad weight  g^T x", true, false, n, n, rows, 500});
  }
  const int64_t norse_rows = 1000 * 32, norse_n = 1000;
  cases.push_back({"Norse fwd    x W^T", false, true, norse_rows, norse_n, norse_n, 1000});
  cases.push_back({"Norse gW     g^T x", true, false, norse_n, norse_n, norse_rows, 1000});

  std::printf("soma::gemm (Eigen), %d threads, median of %d after one warm-up\n",
              Eigen::nbThreads(), repeats);
  std::printf("%-18s %6s %6s %6s  %9s  %8s  %10s\n", "op", "m", "n", "k", "seconds", "GFLOP/s",
              "ms / step");
  soma::Rng rng(7);
  for (const Case& c : cases) {
    // Stored shapes: A is (m x k) or, transposed, (k x m); B is (k x n) or (n x k).
    const auto a = random_matrix(c.m * c.k, rng), b = random_matrix(c.k * c.n, rng);
    std::vector<float> out(c.m * c.n);
    seconds(c, a.data(), b.data(), out.data());
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) t.push_back(seconds(c, a.data(), b.data(), out.data()));
    std::sort(t.begin(), t.end());
    const double s = t[t.size() / 2];
    const double gflops = 2.0 * double(c.m) * double(c.n) * double(c.k) / s * 1e-9;
    std::printf("%-18s %6lld %6lld %6lld  %9.4f  %8.1f  %10.4f\n", c.what, (long long)c.m,
                (long long)c.n, (long long)c.k, s, gflops, 1e3 * s / double(c.steps));
  }
  return 0;
}
