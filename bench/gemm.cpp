// GEMM throughput for the shapes Soma's layers use, at every CPU kernel level this machine runs
// (core/backend/isa.hpp: generic x86-64, v3 = AVX2/FMA, v4 = AVX-512), and the level soma::gemm
// chose. This is the floor every SNN layer benchmark is compared with: a fused Linear -> neuron
// layer cannot beat its GEMMs.
//   forward      y  = x W^T   (T*B x n) (n x n)^T
//   grad input   gx = g W     (T*B x n) (n x n)
//   grad weight  gW = g^T x   (n x T*B) (T*B x n)
// Shapes: the training shape T = 500, B = 16 (T*B = 8000 rows) with n in {512, 1024, 2048}, and
// Norse's inference benchmark T = 1000, B = 32, N = 1000 (32000 rows). The last column is the
// chosen level's time per time step, the unit SNN layer benchmarks report.
// Usage: bench_gemm [--quick]   (--quick: n = 2048 left out, one repeat)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/bench_args.hpp"
#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "core/backend/parallel.hpp"
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

// Median seconds of `repeats` calls after a warm-up.
double seconds(const soma::IsaKernels& k, const Case& c, const float* a, const float* b, float* out,
               int repeats) {
  std::vector<double> t;
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    k.gemm(c.trans_a, c.trans_b, c.m, c.n, c.k, 1, a, b, 0, out);
    if (r > 0)
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

double gflops(const Case& c, double s) {
  return 2.0 * double(c.m) * double(c.n) * double(c.k) / s * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  const bool quick =
      soma::bench::parse_bench_args(
          argc, argv, "Usage: bench_gemm [--quick]   (--quick: n = 2048 left out, one repeat)",
          {{"--quick"}})
          .has("--quick");
  const int repeats = quick ? 1 : 3;
  // All cores, unless OMP_NUM_THREADS says otherwise.
#ifdef _OPENMP
  if (!std::getenv("OMP_NUM_THREADS"))
    omp_set_num_threads(int(std::thread::hardware_concurrency()));
#endif
  const std::vector<soma::Isa>& levels = soma::available_isas();
  const soma::Isa chosen = soma::active_isa();
  std::printf("soma::gemm (Eigen) runs at level %s (%s; SOMA_ISA=generic|v3|v4 forces one)\n",
              soma::isa_name(chosen), soma::active_isa_reason());
  std::printf("single-thread check (256 x 512 x 128, thread CPU time):");
  for (soma::Isa isa : levels) {
    double best = 1e30;
    for (int r = 0; r < 3; ++r) best = std::min(best, soma::isa_gemm_seconds(isa));
    std::printf("  %s %.1f GFLOP/s", soma::isa_name(isa), 6 * 2.0 * 256 * 512 * 128 / best * 1e-9);
  }
  std::printf("\n%d threads, median of %d after one warm-up; GFLOP/s per level\n",
              soma::thread_count(), repeats);
  std::printf("%-18s %6s %6s %6s", "op", "m", "n", "k");
  for (soma::Isa isa : levels) std::printf("  %8s", soma::isa_name(isa));
  std::printf("  %10s\n", "ms / step");

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

  soma::Rng rng(7);
  for (const Case& c : cases) {
    // Stored shapes: A is (m x k) or, transposed, (k x m); B is (k x n) or (n x k).
    const auto a = random_matrix(c.m * c.k, rng), b = random_matrix(c.k * c.n, rng);
    std::vector<float> out(c.m * c.n);
    std::printf("%-18s %6lld %6lld %6lld", c.what, (long long)c.m, (long long)c.n, (long long)c.k);
    double chosen_s = 0;
    for (soma::Isa isa : levels) {
      const double s = seconds(soma::isa_kernels(isa), c, a.data(), b.data(), out.data(), repeats);
      if (isa == chosen) chosen_s = s;
      std::printf("  %8.1f", gflops(c, s));
      std::fflush(stdout);
    }
    std::printf("  %10.4f\n", 1e3 * chosen_s / double(c.steps));
  }
  return 0;
}
