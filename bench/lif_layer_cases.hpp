#pragma once
// The cases of bench_lif_layer on either device (the CPU's bench/lif_layer.cpp and the GPU's
// bench/cuda/lif_layer_cuda.cpp time the same work): Norse's inference shape and the training
// shape, each with the GEMMs of the same shapes as its floor. Every call on a cuda case ends
// with cuda::synchronize(), so that a host clock around it times the device's work.
#include <cmath>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/backend/gemm.hpp"
#include "core/encode/encoders.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/neuron/lif.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

namespace soma::bench {

inline const CurrentScanConfig kLif = lif_scan_config(LIFParameters{}, false, true);

inline void finish(Device device) {
  if (device == Device::cuda) cuda::synchronize();
}

inline LIFState initial_state(const Shape& shape, Device device) {
  LIFState s = lif_initial_state(shape, LIFParameters{});
  return {s.v.to(device), s.i.to(device)};
}

// Spikes of probability p on the host (the CPU's input: its stream as before).
inline Tensor host_poisson(const Shape& shape, float p, Rng& rng) {
  Tensor x = Tensor::zeros(shape);
  for (auto& v : x.array()) v = rng.uniform() < p ? 1.0f : 0.0f;
  return x;
}

// Norse's shape: Poisson input p = 0.03 -> Linear n->n (no bias) -> LIF, B = 32, no gradient.
// On the GPU the spikes come from the device's Poisson encoder (rate 30 Hz at dt 1 ms), not a
// 640 MB host array.
struct InferCase {
  int64_t n, steps, B = 32;
  Device device;
  Tensor x, w, out;
  LIFState s0;
  double rate = 0;  // the layer's spikes per neuron-step
  InferCase(int64_t n_, int64_t steps_, Device d) : n(n_), steps(steps_), device(d) {
    Rng rng(1);
    x = d == Device::cuda ? poisson_encode(Tensor::full({B, n}, 1.0f, d), steps, rng, 30.0f)
                          : host_poisson({steps, B, n}, 0.03f, rng);
    // Scaled so that about 5% of the neurons spike per step.
    w = (Tensor::randn({n, n}, rng) * (3.0f / std::sqrt(0.03f * float(n)))).to(d);
    s0 = initial_state({B, n}, d);
    rate = output_rate();
    // After the rate's output is freed, as the CPU bench always did: the order decides which
    // cached buffers (memory_stats.hpp) the timed calls reuse. Made first, the sparse layer
    // measured 6 ms instead of 2.4 ms (N 500, T 100, one thread).
    out = Tensor::zeros({steps, B, n}, d);
  }
  // density: the layer's max_spike_density (1: the sparse path on spikes, capped on the GPU at
  // its estimated crossover, cuda_spike_linear.hpp; 0: dense).
  Tensor layer(double density) {
    NoGrad ng;
    Tensor z = linear_neuron_sequence(x, w, Tensor(), s0, kLif, false, {density, 0}).z;
    finish(device);
    return z;
  }
  void gemm_floor() {  // x W^T over all T B rows
    gemm(device, false, true, steps * B, n, n, 1, x.raw_data(), w.raw_data(), 0, out.raw_data());
    finish(device);
  }

 private:
  double output_rate() {
    Tensor z = layer(1.0);
    return sum(z).item() / double(z.numel());
  }
};

// The training shape: Linear n->n -> LIF, B = 16, loss = sum of spikes, forward + backward
// (the input needs no gradient).
struct TrainCase {
  int64_t n, steps, B = 16;
  Device device;
  Tensor x, w;
  LIFState s0;
  TrainCase(int64_t n_, int64_t steps_, Device d = Device::cpu) : n(n_), steps(steps_), device(d) {
    Rng rng(2);
    x = Tensor::randn({steps, B, n}, rng).to(d);
    w = (Tensor::randn({n, n}, rng) * (2.0f / std::sqrt(float(n)))).detach().to(d);
    w.requires_grad_();
    s0 = initial_state({B, n}, d);
  }
  void fused() {
    w.zero_grad();
    backward_spike_count(linear_neuron_sequence(x, w, Tensor(), s0, kLif).z);
    finish(device);
  }
  void unfused() {
    w.zero_grad();
    LIFParameters p;
    backward_spike_count(lif_sequence(linear(x, w), s0, p).z);
    finish(device);
  }
  // L = sum of z, on either device (the GPU's full sum runs in split pieces and its backward
  // one thread per element: cuda/reduce.cu).
  static void backward_spike_count(const Tensor& z) { sum(z).backward(); }
};

// The training step's GEMMs alone: x W^T and the weight gradient g^T x, over all T B rows.
struct TrainGemms {
  TrainCase& tc;
  Tensor out, gw;
  explicit TrainGemms(TrainCase& c)
      : tc(c),
        out(Tensor::zeros({c.steps * c.B, c.n}, c.device)),
        gw(Tensor::zeros({c.n, c.n}, c.device)) {}
  void operator()() {
    const int64_t rows = tc.steps * tc.B, n = tc.n;
    gemm(tc.device, false, true, rows, n, n, 1, tc.x.raw_data(), tc.w.raw_data(), 0,
         out.raw_data());
    gemm(tc.device, true, false, n, n, rows, 1, out.raw_data(), tc.x.raw_data(), 0, gw.raw_data());
    finish(tc.device);
  }
  double gflop() const { return 4.0 * double(tc.steps * tc.B) * double(tc.n * tc.n) * 1e-9; }
};

}  // namespace soma::bench
