// Seconds per CIFAR-10 training epoch of the cifar10 task as `soma cifar10` runs it (image as a
// current, Norse's 4-conv LIF network, crop + flip, label smoothing, Adam), on generated images in
// CIFAR-10's binary format (the real set is not shipped; the convolutions cost the same on any
// pixels). The task trains `--steps` batches after one warm-up batch; the time per batch is
// extrapolated to an epoch of 50,000 images (1,563 batches of 32), and linearly in T to Norse's
// T = 128 (conv1 runs once per image, about 1 % of the work; everything else is per step). The
// default T = 8 keeps the run short and its memory small: at T = 128 a batch of 32 holds
// gigabytes of spikes for the backward pass. Prints wall and process CPU seconds, and both as a
// ratio to the model's GEMM floor measured in the same run (cifar10_gemm_floor).
// --device cuda: the task on the GPU (its step reads the loss back, so the host waits for the
// device each step; a final synchronize stops the clock), against cuBLAS's time for the same
// GEMMs, with what the host queued per step (kernels, GEMMs, copies, waits: the host emulator
// counts them as a GPU would). --tf32 on both. Measured on an H200 through `soma cifar10` (T 128,
// 64 channels, fp32): about 0.26 s per batch, 0.21 s with TF32 (docs/cuda.md).
// Usage: bench_cifar10_epoch [--seq_length T] [--steps N] [--channels C] [--device cpu|cuda]
//        [--tf32]
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>

#include "bench/bench_args.hpp"
#include "bench/bench_device.hpp"
#include "bench/gemm_floor.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "core/data/cifar10.hpp"
#include "core/random/rng.hpp"
#include "tasks/registry.hpp"

using namespace soma;

namespace {

constexpr int64_t kTrainImages = 50000, kBatch = 32, kNorseT = 128;

// Random images and labels, 32 per file (the loader reads them as it would the real set).
void write_random_cifar10(const std::string& dir, int64_t per_file) {
  Rng rng(7);
  auto random_set = [&](int64_t n) {
    Dataset d{"cifar10", 3, 32, 32, {}, {}};
    for (int64_t i = 0; i < n * 3072; ++i) d.images.push_back(rng.uniform());
    for (int64_t i = 0; i < n; ++i) d.labels.push_back(int(rng.below(10)));
    return d;
  };
  for (const auto& f : cifar10_files(dir, "train")) write_cifar10(f, random_set(per_file));
  write_cifar10(cifar10_files(dir, "test")[0], random_set(per_file));
}

// The network's products for `batches` batches of kBatch images at T steps, each convolution as
// its weight times the column matrix of one step's batch: conv1 once per image (the same image
// every step), conv2..conv4 every step (forward, weight and input gradients), the read-out over
// all steps at once. Spikes let soma skip work the dense products do, so it can go below 1.
double cifar10_gemm_floor(int64_t T, int64_t c, int64_t batches, Device d) {
  using bench::gemm_triple;
  return gemm_triple(c, 1024 * kBatch, 27, batches, false, d) +
         gemm_triple(2 * c, 1024 * kBatch, 9 * c, T * batches, true, d) +  // 32 x 32
         gemm_triple(4 * c, 256 * kBatch, 18 * c, T * batches, true, d) +  // 16 x 16
         gemm_triple(4 * c, 64 * kBatch, 36 * c, T * batches, true, d) +   // 8 x 8
         gemm_triple(T * kBatch, 10, 64 * c, batches, true, d);            // read-out
}

struct Clock {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double cpu_s() const { return double(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  const auto args = bench::parse_bench_args(
      argc, argv,
      "Usage: bench_cifar10_epoch [--seq_length T] [--steps N] [--channels C] [--device cpu|cuda]\n"
      "                           [--tf32]\n"
      "  T time steps (default 8), N timed batches of 32 (default 3), C first-layer channels "
      "(default 64, Norse's);\n"
      "  --device cuda: on the GPU, against cuBLAS's time for the same GEMMs; --tf32: TF32 GEMMs "
      "there",
      {{"--seq_length", true},
       {"--steps", true},
       {"--channels", true},
       {"--device", true},
       {"--tf32"}});
  const int64_t T = args.has("--seq_length") ? std::stoll(args.value("--seq_length")) : 8;
  const int64_t steps = args.has("--steps") ? std::stoll(args.value("--steps")) : 3;
  const int64_t channels = args.has("--channels") ? std::stoll(args.value("--channels")) : 64;
  if (T < 1 || steps < 1 || channels < 1) {
    std::fprintf(stderr, "bench_cifar10_epoch: --seq_length, --steps, --channels must be >= 1\n");
    return 2;
  }
  const bool cuda = bench::wants_cuda(args, "bench_cifar10_epoch");
  if (cuda && !bench::cuda_ready("bench_cifar10_epoch")) return 1;
  if (args.has("--tf32") && !cuda) {
    std::fprintf(stderr, "bench_cifar10_epoch: --tf32 needs --device cuda\n");
    return 2;
  }
  const Device device = cuda ? Device::cuda : Device::cpu;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("soma_bench_cifar10_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  write_random_cifar10(dir.string(), kBatch * (steps + 1));
  TaskPtr task = make_task("cifar10");
  ParamValues v(task->params());
  v.set_string("data_dir", dir.string());
  v.set_int("seq_length", T);
  v.set_int("channels", channels);
  v.set_int("batch_size", kBatch);
  v.set_float("val_fraction", 0);
  v.set_int("max_steps", steps + 1);
  if (cuda) v.set_string("device", "cuda");
  if (args.has("--tf32")) v.set_bool("tf32", true);
  task->setup(v, {});
  task->step();  // warm-up: first allocations (and on the GPU cuBLAS's choices)
  if (cuda) cuda::synchronize();
  const cuda::WorkCounts w0 = cuda::work_counts();
  Clock clock;
  for (int64_t s = 0; s < steps; ++s) task->step();
  if (cuda) cuda::synchronize();
  const double wall = clock.wall_s() / double(steps), cpu = clock.cpu_s() / double(steps);
  const cuda::WorkCounts w1 = cuda::work_counts();
  std::filesystem::remove_all(dir);
  Clock floor_clock;  // for the CPU time; the wall time is gemm_triple's, the products' alone
  const double floor_wall = cifar10_gemm_floor(T, channels, steps, device) / double(steps),
               floor_cpu = floor_clock.cpu_s() / double(steps);
  const double batches = double((kTrainImages + kBatch - 1) / kBatch),
               scale = double(kNorseT) / double(T);
  std::printf(
      "CIFAR-10 training batch on %s%s, channels %lld, T %lld, batch %lld, Adam: %lld batches "
      "timed\n",
      cuda ? "cuda" : "cpu", args.has("--tf32") ? " (TF32)" : "", (long long)channels, (long long)T,
      (long long)kBatch, (long long)steps);
  std::printf("  per batch       %8.2f s wall  %8.2f s CPU (all threads)\n", wall, cpu);
  std::printf("  GEMM floor      %8.2f s wall  %8.2f s CPU; soma / floor %.2f wall, %.2f CPU\n",
              floor_wall, floor_cpu, wall / floor_wall, cpu / floor_cpu);
  std::printf("  epoch at T %-4lld %8.0f s wall  %8.0f s CPU (x %.0f batches)\n", (long long)T,
              wall * batches, cpu * batches, batches);
  std::printf("  epoch at T %-4lld %8.0f s wall  %8.0f s CPU (x %.0f, linear in T)\n",
              (long long)kNorseT, wall * batches * scale, cpu * batches * scale, scale);
  if (cuda) bench::print_work_per_step(w0, w1, steps);
  return 0;
}
