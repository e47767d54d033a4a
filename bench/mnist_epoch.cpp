// Seconds per Fashion-MNIST training epoch of the recurrent MNIST model (issue "Task framework"):
// 784 -> 100 recurrent LIF -> 10 LI, T = 32, batch 256, Adam, the whole mnist task as `soma`
// runs it (encoder, data loading, forward, backward, optimizer), against
//   - the dense GEMM floor: the same model's GEMMs alone, input projection forward and weight
//     gradient over all T * B rows plus the per-step recurrent products, measured in this run;
//   - Norse (PyTorch 2.11, same 2 threads): 18.4 s per epoch (the reference).
// Usage: bench_mnist_epoch [--quick]   (--quick: 40 batches, extrapolated to the epoch)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "bench/bench_args.hpp"
#include "core/backend/gemm.hpp"
#include "core/backend/openmp_env.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"
#include "tasks/registry.hpp"

using namespace soma;

namespace {

constexpr int64_t kT = 32, kB = 256, kIn = 784, kH = 100, kTrain = 60000;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The model's GEMMs for `batches` batches: forward and weight gradient of the input
// projection, and the recurrent product per step forward and backward.
double gemm_floor(int64_t batches) {
  Rng rng(1);
  Tensor x = Tensor::rand({kT * kB, kIn}, rng), w = Tensor::rand({kH, kIn}, rng);
  Tensor cur = Tensor::zeros({kT * kB, kH}), gw = Tensor::zeros({kH, kIn});
  Tensor wr = Tensor::rand({kH, kH}, rng), z = Tensor::zeros({kB, kH});
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t b = 0; b < batches; ++b) {
    gemm(false, true, kT * kB, kH, kIn, 1, x.data(), w.data(), 0, cur.data());
    gemm(true, false, kH, kIn, kT * kB, 1, cur.data(), x.data(), 0, gw.data());
    for (int64_t t = 0; t < 2 * kT; ++t)
      gemm(false, true, kB, kH, kH, 1, z.data(), wr.data(), 1, cur.data() + t % kT * kB * kH);
  }
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  const bool quick =
      soma::bench::parse_bench_args(argc, argv,
                                    "Usage: bench_mnist_epoch [--quick]   (--quick: 40 batches, "
                                    "extrapolated to the epoch)",
                                    {{"--quick"}})
          .has("--quick");
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    std::printf("bench_mnist_epoch: Fashion-MNIST is not installed (scripts/setup.sh does it)\n");
    return 0;
  }
  TaskPtr task = make_task("mnist");
  ParamValues v(task->params());
  v.set_string("dataset", "fashion-mnist");
  v.set_string("model", "rec");
  v.set_int("seq_length", kT);
  v.set_int("batch_size", kB);
  v.set_int("epochs", 1);
  v.set_float("val_fraction", 0.01);  // validation: 600 images, a small part of the time
  v.set_int("limit_test", 1);
  const int64_t batches = (kTrain - kTrain / 100 + kB - 1) / kB;
  if (quick) v.set_int("max_steps", 40);
  task->setup(v, {});
  auto t0 = std::chrono::steady_clock::now();
  int64_t steps = 0;
  while (!task->done()) task->step(), ++steps;
  double soma = seconds_since(t0) * double(batches) / double(steps);
  double floor = gemm_floor(quick ? 40 : batches) * double(batches) / double(quick ? 40 : batches);
  std::printf("Fashion-MNIST epoch, rec model (T %lld, batch %lld, Adam), %lld of %lld batches\n",
              (long long)kT, (long long)kB, (long long)steps, (long long)batches);
  std::printf("  soma        %6.2f s per epoch\n", soma);
  std::printf("  GEMM floor  %6.2f s   soma / floor %.2f\n", floor, soma / floor);
  std::printf("  Norse       %6.2f s   Norse / soma %.1f (Norse: PyTorch 2.11, 2 threads)\n", 18.4,
              18.4 / soma);
  return 0;
}
