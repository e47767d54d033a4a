// Feed-forward spiking layer benchmarks (issue "Spiking core"). Every number is a ratio to a
// floor measured in the same run, because the machine is shared and absolute times drift.
//   1. Norse's shape: Poisson input p = 0.03 -> Linear N->N (no bias) -> LIF, T = 1000, B = 32,
//      no gradient: the fused layer on its dense and its sparse path, and the GEMM x W^T alone.
//   2. Training shape (Open Neuromorphic, scaled to 2 cores): Linear n->n -> LIF, T = 500,
//      B = 16, loss = sum of spikes, forward + backward (the input needs no gradient), against
//      its GEMMs alone (x W^T and gW = g^T x); the unfused linear + lif_sequence for comparison.
//   3. Peak live tensor storage of the training step (memory_stats) against the floor:
//      input + weight + one saved float per neuron-step.
//   4. --density: the sparse kernels against the dense GEMM over spike densities, to place
//      kSpikeDensityThreshold. --alloc: first and later passes; compare runs with --no-cache.
// Usage: bench_lif_layer [--quick] [--density] [--alloc [--no-cache]] [--n N]   (OMP_NUM_THREADS
// sets the threads)
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_args.hpp"
#include "core/autograd/grad_mode.hpp"
#include "core/backend/gemm.hpp"
#include "core/backend/isa.hpp"
#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "core/backend/spike_matmul.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/neuron/lif.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/memory_stats.hpp"

using namespace soma;

namespace {

double median_seconds(int repeats, const std::function<void()>& f) {
  f();  // warm-up: first-touch page faults, thread start-up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Medians of several functions timed in turns (f1 f2 f3, f1 f2 f3, ...), so that a change in
// the machine's load hits all of them alike.
std::vector<double> interleaved(int repeats, const std::vector<std::function<void()>>& fs) {
  std::vector<std::vector<double>> t(fs.size());
  for (auto& f : fs) f();  // warm-up
  for (int r = 0; r < repeats; ++r)
    for (size_t k = 0; k < fs.size(); ++k) {
      auto start = std::chrono::steady_clock::now();
      fs[k]();
      t[k].push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  std::vector<double> med;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

Tensor poisson(const Shape& shape, float p, Rng& rng) {
  Tensor x = Tensor::zeros(shape);
  for (auto& v : x.array()) v = rng.uniform() < p ? 1.0f : 0.0f;
  return x;
}

const CurrentScanConfig kLif = lif_scan_config(LIFParameters{}, false, true);

void inference(int64_t n, int64_t steps, int repeats) {
  const int64_t B = 32;
  Rng rng(1);
  Tensor x = poisson({steps, B, n}, 0.03f, rng);
  // Scaled so that about 5% of the neurons spike per step.
  Tensor w = Tensor::randn({n, n}, rng) * (3.0f / std::sqrt(0.03f * float(n)));
  NoGrad ng;
  LIFState s0 = lif_initial_state({B, n}, LIFParameters{});
  auto layer = [&](double density) {
    return [&, density] { linear_neuron_sequence(x, w, Tensor(), s0, kLif, false, {density, 0}); };
  };
  Tensor z = linear_neuron_sequence(x, w, Tensor(), s0, kLif, false, {1.0, 0}).z;
  double rate = sum(z).item() / double(z.numel());
  z = Tensor();
  Tensor out = Tensor::zeros({steps, B, n});
  auto t = interleaved(
      repeats, {layer(1.0), layer(0.0),
                [&] { gemm(false, true, steps * B, n, n, 1, x.data(), w.data(), 0, out.data()); }});
  double sparse = t[0], dense = t[1], floor = t[2];
  std::printf(
      "inference  N=%5lld T=%4lld B=32  sparse %.4f s  dense %.4f s  gemm %.4f s  "
      "dense/gemm %.2f  gemm/sparse %.1fx  (output rate %.3f)\n",
      (long long)n, (long long)steps, sparse, dense, floor, dense / floor, floor / sparse, rate);
}

struct TrainCase {
  int64_t n, steps, B = 16;
  Tensor x, w;
  TrainCase(int64_t n_, int64_t steps_) : n(n_), steps(steps_) {
    Rng rng(2);
    x = Tensor::randn({steps, B, n}, rng);
    w = (Tensor::randn({n, n}, rng) * (2.0f / std::sqrt(float(n)))).detach();
    w.requires_grad_();
  }
  void fused() {
    w.zero_grad();
    LIFState s0 = lif_initial_state({B, n}, LIFParameters{});
    sum(linear_neuron_sequence(x, w, Tensor(), s0, kLif).z).backward();
  }
  void unfused() {
    w.zero_grad();
    LIFParameters p;
    sum(lif_sequence(linear(x, w), lif_initial_state({B, n}, p), p).z).backward();
  }
};

void training(int64_t n, int64_t steps, int repeats) {
  TrainCase tc(n, steps);
  Tensor out = Tensor::zeros({steps * tc.B, n}), gw = Tensor::zeros({n, n});
  auto t = interleaved(
      repeats, {[&] { tc.fused(); }, [&] { tc.unfused(); },
                [&] {
                  gemm(false, true, steps * tc.B, n, n, 1, tc.x.data(), tc.w.data(), 0, out.data());
                  gemm(true, false, n, n, steps * tc.B, 1, out.data(), tc.x.data(), 0, gw.data());
                }});
  double fused = t[0], unfused = t[1], floor = t[2];
  double gflop = 2.0 * 2.0 * double(steps * tc.B) * double(n) * double(n) * 1e-9;
  std::printf(
      "training   n=%5lld T=%4lld B=16  fused %.4f s (%.1f GFLOP/s)  unfused %.4f s  gemm %.4f s "
      "(%.1f GFLOP/s)  fused/gemm %.2f  unfused/gemm %.2f\n",
      (long long)n, (long long)steps, fused, gflop / fused, unfused, floor, gflop / floor,
      fused / floor, unfused / floor);
}

void peak_memory(int64_t n, int64_t steps) {
  TrainCase tc(n, steps);
  const double mib = 1.0 / (1 << 20);
  double floor = double(tc.x.numel() + tc.w.numel() + tc.x.numel()) * 4;
  auto peak = [&](void (TrainCase::*f)()) {
    (tc.*f)();
    tc.w.zero_grad();
    reset_peak_memory();
    (tc.*f)();
    return double(memory_stats().peak_bytes);
  };
  double fused = peak(&TrainCase::fused), unfused = peak(&TrainCase::unfused);
  std::printf(
      "memory     n=%5lld T=%4lld B=16  floor (x + W + 4 B/neuron-step) %.1f MiB  fused peak %.1f "
      "MiB (%.2fx)  unfused peak %.1f MiB (%.2fx)\n",
      (long long)n, (long long)steps, floor * mib, fused * mib, fused / floor, unfused * mib,
      unfused / floor);
}

// Sparse kernels against the dense GEMM they replace, over input densities.
void density_sweep(int64_t rows, int64_t n, int repeats) {
  Rng rng(3);
  Tensor w = Tensor::randn({n, n}, rng);
  std::vector<float> wt = pack_spike_weights(w.data(), n, n);
  Tensor out = Tensor::zeros({rows, n}), g = Tensor::randn({rows, n}, rng),
         gw = Tensor::zeros({n, n});
  std::printf("density    rows=%lld n=%lld: time sparse / dense GEMM (< 1: sparse wins)\n",
              (long long)rows, (long long)n);
  for (double p : {0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3}) {
    Tensor x = poisson({rows, n}, float(p), rng);
    SpikeRows s;
    spike_rows(x.data(), rows, n, 1.0, s);
    auto t = interleaved(
        repeats, {[&] { spike_rows(x.data(), rows, n, 1.0, s); },
                  [&] { spike_matmul(s, 0, rows, n, wt.data(), n, 0, out.data()); },
                  [&] { gemm(false, true, rows, n, n, 1, x.data(), w.data(), 0, out.data()); },
                  [&] { spike_matmul_t(s, 0, rows, n, g.data(), n, 0, gw.data()); },
                  [&] { gemm(true, false, n, n, rows, 1, g.data(), x.data(), 0, gw.data()); }});
    double scan = t[0], fwd_s = t[1], fwd_d = t[2], gw_s = t[3], gw_d = t[4];
    std::printf("  p=%.2f  forward %.3f (+scan %.3f)  weight grad %.3f  both %.3f  [gemm %.4f s]\n",
                p, fwd_s / fwd_d, scan / fwd_d, gw_s / gw_d, (scan + fwd_s + gw_s) / (fwd_d + gw_d),
                fwd_d);
  }
}

std::function<void()> conv_pass(int64_t n, int64_t cin, int64_t cout, int64_t hw) {
  Rng rng(4);
  Tensor x = Tensor::randn({n, cin, hw, hw}, rng), w = Tensor::randn({cout, cin, 3, 3}, rng);
  w.requires_grad_();
  x.requires_grad_();
  return [x, w]() mutable {
    w.zero_grad();
    x.zero_grad();
    sum(conv2d(x, w, Tensor(), {1, 1})).backward();
  };
}

// Fresh processes with the storage cache off and on (--no-cache): within one process, glibc's
// own adaptive mmap threshold would already have learnt the sizes from the first pass.
void allocation(int repeats) {
  TrainCase tc(1024, 500);
  std::vector<std::pair<const char*, std::function<void()>>> cases{
      {"conv 64x16x32x32 -> 32", conv_pass(64, 16, 32, 32)},
      {"conv 128x32x32x32 -> 64", conv_pass(128, 32, 64, 32)},
      {"training n=1024 fused", [&] { tc.fused(); }}};
  for (auto& [name, f] : cases) {
    auto start = std::chrono::steady_clock::now();
    f();
    double first = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double later = median_seconds(repeats, f);
    std::printf("alloc      %-26s fwd+bwd  first %.4f s  later %.4f s  (cache limit %lld MiB)\n",
                name, first, later, (long long)(memory_cache_limit() >> 20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  const soma::bench::BenchArgs args = soma::bench::parse_bench_args(
      argc, argv,
      "Usage: bench_lif_layer [--quick] [--density] [--alloc [--no-cache]] [--n N]\n"
      "  --quick: shorter T, one repeat; --density: sparse vs dense over spike densities;\n"
      "  --alloc: first and later passes; --n N: only the cases of size N",
      {{"--quick"}, {"--density"}, {"--alloc"}, {"--no-cache"}, {"--n", true}});
  const bool quick = args.has("--quick"), density = args.has("--density"),
             alloc = args.has("--alloc");
  const int64_t only = args.has("--n") ? std::atoll(args.value("--n")) : 0;
  if (args.has("--no-cache")) set_memory_cache_limit(0);
  int repeats = quick ? 1 : 5;
  std::printf("%d threads, kernels %s%s\n", Eigen::nbThreads(), isa_name(active_isa()),
              quick ? ", --quick: shorter T, one repeat" : "");
  if (density) {
    density_sweep(8000, 1024, repeats);
    density_sweep(32000, 1000, repeats);
    return 0;
  }
  if (alloc) {
    allocation(repeats);
    return 0;
  }
  for (int64_t n : {250, 500, 1000, 2000})
    if (!only || n == only) inference(n, quick ? 100 : 1000, repeats);
  for (int64_t n : {512, 1024, 2048})
    if (!only || n == only) training(n, quick ? 50 : 500, repeats);
  if (!only || only == 1024) peak_memory(1024, quick ? 50 : 500);
}
