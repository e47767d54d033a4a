// The GPU's sparse path of linear_neuron_sequence (core/ops/cuda_spike_linear.hpp): the
// product on spikes against the CPU's x W^T + b, the cases that must fall back to the GEMM,
// and the layer's inference on spikes against the CPU's. Runs only on a machine with a GPU.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/ops/cuda_spike_linear.hpp"
#include "core/ops/linalg.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

Tensor spikes(const Shape& shape, float p, uint64_t seed) {
  Rng rng(seed);
  Tensor x = Tensor::zeros(shape);
  for (int64_t k = 0; k < x.numel(); ++k) x.data()[k] = rng.uniform() < p ? 1.0f : 0.0f;
  return x;
}

}  // namespace

TEST_CASE("cuda: spike_linear on sparse spikes equals x W^T + b") {
  const Tensor x = spikes({20, 4, 300}, 0.03f, 1);
  const Tensor w = random_tensor({70, 300}, 2), b = random_tensor({70}, 3);
  for (bool with_bias : {true, false}) {
    CAPTURE(with_bias);
    const Tensor bb = with_bias ? b : Tensor();
    const Tensor out =
        cuda_ops::spike_linear(x.cuda(), w.cuda(), with_bias ? b.cuda() : Tensor(), 1.0);
    REQUIRE(out.defined());
    CHECK(out.shape() == Shape{20, 4, 70});
    check_close_to_scale(linear(x, w, bb), out, 1e-6f);
  }
}

TEST_CASE("cuda: spike_linear leaves to the GEMM what is not sparse spikes") {
  const Tensor w = random_tensor({16, 64}, 4).cuda();
  Tensor x = spikes({10, 64}, 0.03f, 5);
  CHECK(cuda_ops::spike_linear(x.cuda(), w, Tensor(), 1.0).defined());
  CHECK_FALSE(cuda_ops::spike_linear(x.cuda(), w, Tensor(), 0.0).defined());  // asked dense
  CHECK_FALSE(cuda_ops::spike_linear(spikes({10, 64}, 0.3f, 6).cuda(), w, Tensor(), 1.0)
                  .defined());  // above the GPU's density cap
  for (float other : {0.5f, -1.0f, 2.0f, std::nanf("")}) {
    CAPTURE(other);
    Tensor y = x.clone();
    y.data()[77] = other;
    CHECK_FALSE(cuda_ops::spike_linear(y.cuda(), w, Tensor(), 1.0).defined());
  }
  cuda::set_tf32(true);  // a faster GEMM: a lower cap (1%)
  const bool sparse_tf32 = cuda_ops::spike_linear(x.cuda(), w, Tensor(), 1.0).defined();
  cuda::set_tf32(false);
  CHECK_FALSE(sparse_tf32);
}

TEST_CASE("cuda: a Linear -> LIF layer infers on sparse spikes as the CPU does") {
  const int64_t T = 30, B = 8, n = 200;
  const Tensor x = spikes({T, B, n}, 0.03f, 7);
  const Tensor w = random_tensor({n, n}, 8, -0.3f, 1.0f);
  const CurrentScanConfig c = lif_scan_config(LIFParameters{}, false, true);
  const LIFState s0{Tensor::zeros({B, n}), Tensor::zeros({B, n})};
  NoGrad ng;
  const CurrentScanResult r = linear_neuron_sequence(x, w, Tensor(), s0, c, true);
  const CurrentScanResult dr =
      linear_neuron_sequence(x.cuda(), w.cuda(), Tensor(), {s0.v.cuda(), s0.i.cuda()}, c, true);
  const std::vector<float> z = r.z.to_vector(), dz = dr.z.to_vector();
  int64_t spiked = 0, differ = 0;
  for (size_t k = 0; k < z.size(); ++k) spiked += z[k] > 0, differ += z[k] != dz[k];
  CHECK(spiked > 0);
  // The CPU and GPU sum the same rows of W^T, perhaps in other orders: a current at threshold
  // may round across it (none seen; 1 in 10^4 allowed).
  CHECK(differ * 10000 <= int64_t(z.size()));
  check_close_to_scale(r.v, dr.v, 1e-4f);
}
