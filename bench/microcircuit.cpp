// Microcircuit Euler-step cost (issue "microcircuit"), recording included (rec_per_steps 100),
// one seed on one thread, against numpy's ~70 us per step (seed base_model) and ~270 us (PAL,
// 5-20-10-20-5):
//   1. the seed template: 1-1-1, soft_relu, FA, fw_bw;
//   2. PAL, 5-20-10-20-5, layered, OU noise, bw_only.
// Usage: bench_microcircuit [--quick]
//        (a whole experiment: soma microcircuit --params DIR/params.json --task fw_bw|bw_only)
#include <chrono>
#include <cstdio>
#include <cstring>

#include "bench/bench_args.hpp"
#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "tasks/microcircuit/experiment.hpp"

using namespace soma::mc;

namespace {

double us_per_step(McParams p, TaskKind task, int64_t steps) {
  p.random_seed = {p.random_seed.front()};
  p.settling_time = 0;
  p.epochs = (steps + p.dataset_size * 100 - 1) / (p.dataset_size * 100);
  Experiment e(std::move(p), task);
  e.advance(1000);  // warm-up
  auto start = std::chrono::steady_clock::now();
  e.advance(steps);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s * 1e6 / double(steps);
}

McParams pal_5_20_10_20_5() {
  McParams p;
  p.layers = {5, 20, 10, 20, 5};
  p.activation = {"logistic"};
  p.model_type = "PAL";
  p.topology = "layered";
  p.noise_type = "OU";
  p.noise_mode = "const";
  p.noise_scale = {0.1};
  p.eta_fw = {0};
  p.eta_bw = {1};
  p.eta_IP = {0};
  p.eta_PI = {0};
  p.alpha = {1e-4};
  p.tauHP = 0.1;
  p.rec = {};
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  const bool quick =
      soma::bench::parse_bench_args(argc, argv,
                                    "Usage: bench_microcircuit [--quick]   (--quick: 1e5 "
                                    "steps instead of 1e6)",
                                    {{"--quick"}})
          .has("--quick");
  const int64_t steps = quick ? 100000 : 1000000;
  double t1 = us_per_step(McParams{}, TaskKind::fw_bw, steps);
  std::printf("template 1-1-1 FA fw_bw:      %.3f us/step  (numpy ~70 us: %.0fx faster)\n", t1,
              70 / t1);
  double t2 = us_per_step(pal_5_20_10_20_5(), TaskKind::bw_only, steps / 4);
  std::printf(
      "PAL 5-20-10-20-5 bw_only:     %.3f us/step  (numpy ~70 us: %.0fx; PAL numpy ~270 "
      "us: %.0fx)\n",
      t2, 70 / t2, 270 / t2);
}
