// Linear -> LIF layer benchmarks (issue "Spiking core"), each against the GEMM floor measured
// in the same run:
//   1. Norse's shape: Poisson input p = 0.03 -> Linear N->N (no bias) -> LIF, T = 1000, B = 32,
//      no gradient.
//   2. Training shape (Open Neuromorphic, scaled to 2 cores): Linear n->n -> LIF, T = 500,
//      B = 16, loss = sum of spikes, forward + backward; the input needs no gradient.
// Usage: bench_lif_layer [--quick]
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/gemm.hpp"
#include "core/neuron/lif.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

double median_seconds(int repeats, const std::function<void()>& f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

Tensor poisson(const Shape& shape, float p, Rng& rng) {
  Tensor x = Tensor::zeros(shape);
  for (auto& v : x.array()) v = rng.uniform() < p ? 1.0f : 0.0f;
  return x;
}

void inference(int64_t n, int64_t steps, int repeats) {
  const int64_t B = 32;
  Rng rng(1);
  Tensor x = poisson({steps, B, n}, 0.03f, rng);
  Tensor w = Tensor::randn({n, n}, rng) * (1.0f / float(n));
  LIFParameters p;
  NoGrad ng;
  double soma = median_seconds(repeats, [&] {
    Tensor cur = linear(x, w);
    lif_sequence(cur, lif_initial_state({B, n}, p), p);
  });
  Tensor out = Tensor::zeros({steps, B, n});
  double floor = median_seconds(repeats, [&] {
    gemm(false, true, steps * B, n, n, 1, x.data(), w.data(), 0, out.data());
  });
  std::printf("inference  N=%5lld T=%4lld B=32   soma %.3f s   gemm %.3f s   ratio %.2f\n",
              (long long)n, (long long)steps, soma, floor, soma / floor);
}

void training(int64_t n, int64_t steps, int repeats) {
  const int64_t B = 16;
  Rng rng(2);
  Tensor x = Tensor::randn({steps, B, n}, rng);
  Tensor w = (Tensor::randn({n, n}, rng) * (2.0f / std::sqrt(float(n)))).detach();
  w.requires_grad_();
  LIFParameters p;
  double soma = median_seconds(repeats, [&] {
    w.zero_grad();
    Tensor z = lif_sequence(linear(x, w), lif_initial_state({B, n}, p), p).z;
    sum(z).backward();
  });
  Tensor out = Tensor::zeros({steps, B, n}), gw = Tensor::zeros({n, n});
  double floor = median_seconds(repeats, [&] {
    gemm(false, true, steps * B, n, n, 1, x.data(), w.data(), 0, out.data());
    gemm(true, false, n, n, steps * B, 1, out.data(), x.data(), 0, gw.data());
  });
  double gflop = 2.0 * 2.0 * double(steps * B) * double(n) * double(n) * 1e-9;
  std::printf(
      "training   n=%5lld T=%4lld B=16   soma %.3f s (%.1f GFLOP/s)   gemm %.3f s   ratio %.2f\n",
      (long long)n, (long long)steps, soma, gflop / soma, floor, soma / floor);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  int repeats = quick ? 1 : 3;
  for (int64_t n : {250, 500, 1000, 2000}) inference(n, quick ? 100 : 1000, repeats);
  for (int64_t n : {512, 1024, 2048}) training(n, quick ? 50 : 500, repeats);
}
