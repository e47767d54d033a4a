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
//   5. --device cuda: the training and inference cases at the sizes of issue 11's targets on the
//      GPU, against cuBLAS in the same run, and the step's peak device memory
//      (bench/cuda/lif_layer_cuda.cpp). The cases themselves: bench/lif_layer_cases.hpp.
// Usage: bench_lif_layer [--quick] [--density] [--alloc [--no-cache]] [--n N]   (OMP_NUM_THREADS
// sets the threads); bench_lif_layer --device cuda [--quick] [--n N] [--tf32]
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
#include "bench/bench_device.hpp"
#include "bench/cuda/lif_layer_cuda.hpp"
#include "bench/lif_layer_cases.hpp"
#include "bench/timing.hpp"
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
using bench::host_poisson;
using bench::InferCase;
using bench::interleaved;
using bench::median_seconds;
using bench::TrainCase;
using bench::TrainGemms;

namespace {

// Norse's shape on the CPU's sparse and dense paths, against the GEMM x W^T alone.
void inference(int64_t n, int64_t steps, int repeats) {
  InferCase c(n, steps, Device::cpu);
  auto t =
      interleaved(repeats, {[&] { c.layer(1.0); }, [&] { c.layer(0.0); }, [&] { c.gemm_floor(); }});
  double sparse = t[0], dense = t[1], floor = t[2];
  std::printf(
      "inference  N=%5lld T=%4lld B=32  sparse %.4f s  dense %.4f s  gemm %.4f s  "
      "dense/gemm %.2f  gemm/sparse %.1fx  (output rate %.3f)\n",
      (long long)n, (long long)steps, sparse, dense, floor, dense / floor, floor / sparse, c.rate);
}

void training(int64_t n, int64_t steps, int repeats) {
  TrainCase tc(n, steps);
  TrainGemms gemms(tc);
  auto t = interleaved(repeats, {[&] { tc.fused(); }, [&] { tc.unfused(); }, [&] { gemms(); }});
  double fused = t[0], unfused = t[1], floor = t[2];
  const double gflop = gemms.gflop();
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
    Tensor x = host_poisson({rows, n}, float(p), rng);
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
      "       bench_lif_layer --device cuda [--quick] [--n N] [--tf32] [--memory]\n"
      "  --quick: shorter T, one repeat (cuda: the same shapes, 3 repeats); --density: sparse vs\n"
      "  dense over spike densities; --alloc: first and later passes; --n N: only the cases of\n"
      "  size N; --device cuda: the GPU's cases (bench/cuda/lif_layer_cuda.cpp); --tf32: there\n"
      "  every case also with TF32 GEMMs; --memory: there only the training steps' peak device\n"
      "  memory (no timing; the host emulator's build measures it as a GPU does)",
      {{"--quick"},
       {"--density"},
       {"--alloc"},
       {"--no-cache"},
       {"--n", true},
       {"--device", true},
       {"--tf32"},
       {"--memory"}});
  const bool quick = args.has("--quick"), density = args.has("--density"),
             alloc = args.has("--alloc");
  const int64_t only = args.has("--n") ? std::atoll(args.value("--n")) : 0;
  if (soma::bench::wants_cuda(args, "bench_lif_layer"))
    return soma::bench::lif_layer_cuda({quick, only, args.has("--tf32"), args.has("--memory")});
  for (const char* flag : {"--tf32", "--memory"})
    if (args.has(flag)) {
      std::fprintf(stderr, "bench_lif_layer: %s is for --device cuda\n", flag);
      return 2;
    }
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
