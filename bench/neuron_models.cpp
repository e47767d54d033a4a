// The step-loop neuron models (LIF-Ex, AdEx, AdaLIF, Izhikevich, the refractory LIF and AdEx,
// CobaLIF; and the learnable recurrent LIF) with their fused scans (core/neuron/cell_sequence.hpp,
// lif_learnable_scan.cpp) against the loop of their step functions that they ran before
// (rollout.hpp, Norse's eager loop): forward and backward of all T steps of a (T, B, H) input, loss
// = sum of spikes + sum of the final voltage. Prints the median time of each, the ratio, and on
// cuda the kernel launches of each (device-independent: the emulator counts them as a GPU would).
// Usage: bench_neuron_models [--device cpu|cuda] [--quick]
//   default T 100, B 32, H 512 (1.6 M neuron-steps), 5 repeats; --quick T 20, B 8, H 128, 1 repeat
#include <cstdio>
#include <string>

#include "bench/bench_args.hpp"
#include "bench/bench_device.hpp"
#include "bench/timing.hpp"
#include "core/neuron/ada_lif.hpp"
#include "core/neuron/coba_lif.hpp"
#include "core/neuron/izhikevich.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/neuron/lif_refrac.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

struct Size {
  int64_t steps, batch, hidden;
  int repeats;
  Device device;
};

// Times loop() and fused() (each one forward and backward) and prints them as a row.
template <class Loop, class Fused>
void compare_passes(const char* name, Loop loop, Fused fused, const Size& n) {
  auto run = [&](bool f) {
    f ? fused() : loop();
    if (n.device == Device::cuda) cuda::synchronize();
  };
  int64_t launches[2] = {0, 0};
  for (int f = 0; f < 2; ++f) {
    const int64_t k0 = cuda::work_counts().kernels;
    run(f == 1);
    launches[f] = cuda::work_counts().kernels - k0;
  }
  const std::vector<double> t =
      bench::interleaved(n.repeats, {[&] { run(false); }, [&] { run(true); }});
  std::printf("%-16s %10.2f %10.2f %8.1fx", name, 1e3 * t[0], 1e3 * t[1], t[0] / t[1]);
  if (n.device == Device::cuda)
    std::printf(" %10lld %8lld", (long long)launches[0], (long long)launches[1]);
  std::printf("\n");
}

Tensor input(const Size& n, float lo, float hi) {
  Rng rng(5);
  return Tensor::rand({n.steps, n.batch, n.hidden}, rng, lo, hi).to(n.device).requires_grad_();
}

template <class Model>
void compare(const char* name, const typename Model::Parameters& p, float lo, float hi,
             const Size& n) {
  const Tensor x = input(n, lo, hi);
  const auto s0 = state_on(Model::initial_state({n.batch, n.hidden}, p), n.device);
  auto step = [&p](const Tensor& xt, const typename Model::State& s) {
    return Model::step(xt, s, p);
  };
  auto backward = [](auto r) { (sum(r.z) + sum(*r.state.fields()[0])).backward(); };
  compare_passes(
      name, [&] { backward(rollout(x, s0, step, false)); },
      [&] { backward(Model::sequence(x, s0, p, false)); }, n);
}

// The recurrent LIF layer with each neuron's own constants (lif_learnable.hpp): its composed
// steps against its fused scan (one kernel per step each way on cuda).
void compare_learnable(const Size& n) {
  const LIFParameters p;
  const Tensor x = input(n, 0.0f, 1.5f);
  Rng rng(6);
  const Tensor w = (Tensor::rand({n.hidden, n.hidden}, rng, -0.1f, 0.1f)).to(n.device);
  auto constant = [&](float value) {
    return Tensor::full({n.hidden}, value).to(n.device).requires_grad_();
  };
  const LIFNeuronTensors q{constant(p.dt * p.tau_mem_inv), constant(1 - p.dt * p.tau_syn_inv),
                           constant(p.v_th)};
  const LIFRecurrentState s0 = lif_recurrent_state_on({n.batch, n.hidden}, p, n.device);
  auto step = [&](const Tensor& xt, const LIFRecurrentState& s) {
    return lif_recurrent_step(xt, w, s, p, q);
  };
  auto backward = [](const Tensor& z, const Tensor& v) { (sum(z) + sum(v)).backward(); };
  compare_passes(
      "lif_learnable",
      [&] {
        auto r = rollout(x, s0, step, false);
        backward(r.z, r.state.v);
      },
      [&] {
        auto r = lif_recurrent_learnable_sequence(x, w, s0, p, q);
        backward(r.z, r.state.v);
      },
      n);
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage =
      "Usage: bench_neuron_models [--device cpu|cuda] [--quick]\n"
      "  The step-loop neuron models, fused cell scan against the loop of steps: forward +\n"
      "  backward of a (T, B, H) input; T 100, B 32, H 512, 5 repeats (--quick: T 20, B 8,\n"
      "  H 128, 1 repeat).";
  const bench::BenchArgs args =
      bench::parse_bench_args(argc, argv, usage, {{"--device", true}, {"--quick"}});
  const bool gpu = bench::wants_cuda(args, "bench_neuron_models");
  if (gpu && !bench::cuda_ready("bench_neuron_models")) return 1;
  const bool quick = args.has("--quick");
  const Size n{quick ? 20 : 100, quick ? 8 : 32, quick ? 128 : 512, quick ? 1 : 5,
               gpu ? Device::cuda : Device::cpu};
  std::printf("T %lld, B %lld, H %lld on %s; median of %d (ms, forward + backward)\n",
              (long long)n.steps, (long long)n.batch, (long long)n.hidden, gpu ? "cuda" : "cpu",
              n.repeats);
  std::printf("%-16s %10s %10s %9s%s\n", "model", "step loop", "fused", "ratio",
              gpu ? "   launches (loop, fused)" : "");
  compare<LIFExModel>("lif_ex", {}, 0.0f, 3.0f, n);
  compare<LIFAdExModel>("lif_adex", {}, 0.0f, 3.0f, n);
  compare<AdaLIFModel>("ada_lif", {}, 0.0f, 4.0f, n);
  compare<IzhikevichModel>("izhikevich", {}, 0.0f, 40.0f, n);
  compare<LIFRefracModel>("lif_refrac", {}, 0.0f, 4.0f, n);
  compare<LIFAdExRefracModel>("lif_adex_refrac", {}, 0.0f, 4.0f, n);
  compare<CobaLIFModel>("coba_lif", {}, -0.5f, 1.0f, n);
  compare_learnable(n);
  return 0;
}
