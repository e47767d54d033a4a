// The step-loop neuron models (LIF-Ex, AdEx, AdaLIF, Izhikevich, the refractory LIF and AdEx,
// CobaLIF) with their fused cell scan (core/neuron/cell_sequence.hpp) against the loop of their
// step functions that they ran before (rollout.hpp, Norse's eager loop): forward and backward of
// all T steps of a (T, B, H) input, loss = sum of spikes + sum of the final voltage. Prints the
// median time of each, the ratio, and on cuda the kernel launches of each (device-independent:
// the emulator counts them as a GPU would).
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

// One forward and backward, fused or the step loop; returns nothing, the clock is outside.
template <class Model>
void pass(const Tensor& x, const typename Model::State& s0, const typename Model::Parameters& p,
          bool fused) {
  auto step = [&p](const Tensor& xt, const typename Model::State& s) {
    return Model::step(xt, s, p);
  };
  auto r = fused ? Model::sequence(x, s0, p, false) : rollout(x, s0, step, false);
  (sum(r.z) + sum(*r.state.fields()[0])).backward();
  if (x.device() == Device::cuda) cuda::synchronize();
}

template <class Model>
void compare(const char* name, const typename Model::Parameters& p, float lo, float hi,
             const Size& n) {
  Rng rng(5);
  Tensor x = Tensor::rand({n.steps, n.batch, n.hidden}, rng, lo, hi).to(n.device).requires_grad_();
  const auto s0 = state_on(Model::initial_state({n.batch, n.hidden}, p), n.device);
  int64_t launches[2] = {0, 0};
  for (int f = 0; f < 2; ++f) {
    const int64_t k0 = cuda::work_counts().kernels;
    pass<Model>(x, s0, p, f == 1);
    launches[f] = cuda::work_counts().kernels - k0;
  }
  const std::vector<double> t = bench::interleaved(
      n.repeats, {[&] { pass<Model>(x, s0, p, false); }, [&] { pass<Model>(x, s0, p, true); }});
  std::printf("%-16s %10.2f %10.2f %8.1fx", name, 1e3 * t[0], 1e3 * t[1], t[0] / t[1]);
  if (n.device == Device::cuda)
    std::printf(" %10lld %8lld", (long long)launches[0], (long long)launches[1]);
  std::printf("\n");
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
  return 0;
}
