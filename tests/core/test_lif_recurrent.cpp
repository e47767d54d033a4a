#include <doctest/doctest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/backend/spike_matmul.hpp"
#include "core/neuron/lif_recurrent.hpp"
#include "gradcheck.hpp"

using namespace soma;

// Dense spikes take the GEMM path of the recurrent product and its weight gradient; sparse
// spikes (at most kSpikeDensityThreshold) take the sum of picked rows.
TEST_CASE("lif_recurrent_sequence equals the composed recurrent steps") {
  LIFParameters p;
  Rng rng(15);
  const int64_t T = 25, B = 3, H = 5;
  float x_max = 8, density_min = 0.3f, density_max = 1;
  SUBCASE("dense spikes") {}
  SUBCASE("sparse spikes") {
    x_max = 0.6f, density_min = 0.02f, density_max = 0.2f;
  }
  Tensor x = test::param({T, B, H}, rng, 0, x_max);
  Tensor w = test::param({H, H}, rng, -2, 2);
  LIFRecurrentState s0{Tensor::zeros({B, H}), test::param({B, H}, rng, 0, 0.5f),
                       test::param({B, H}, rng, 0, 1)};
  s0.z.at({0, 1}) = 1;
  s0.z.requires_grad_();
  Tensor wz = Tensor::rand({T, B, H}, rng, -1, 1), wv = Tensor::rand({T, B, H}, rng, -1, 1);
  auto run = [&](bool fused) {
    for (Tensor t : {x, w, s0.z, s0.v, s0.i}) t.zero_grad();
    Tensor z, v;
    LIFRecurrentState s = s0;
    if (fused) {
      LIFRecurrentSequence r = lif_recurrent_sequence(x, w, s0, p, true);
      z = r.z, v = r.v, s = r.state;
    } else {
      Tensors zs, vs;
      for (int64_t t = 0; t < T; ++t) {
        LIFRecurrentStep st = lif_recurrent_step(select(x, t), w, s, p);
        s = st.state;
        zs.push_back(st.z);
        vs.push_back(s.v);
      }
      z = stack(zs), v = stack(vs);
    }
    (sum(z * wz) + sum(v * wv) + sum(s.i) + sum(s.z)).backward();
    return Tensors{z.detach(),          x.grad().clone(),    w.grad().clone(),
                   s0.z.grad().clone(), s0.v.grad().clone(), s0.i.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  const float density = sum(a[0]).item() / float(T * B * H);
  CHECK(density >= density_min);
  CHECK(density <= density_max);
  CHECK(sum(a[0]).item() > 20);
  for (size_t k = 0; k < a.size(); ++k) test::check_close(a[k], b[k].to_vector(), 2e-5f);
}

TEST_CASE("lif_recurrent_sequence gradient matches finite differences below threshold") {
  LIFParameters p;
  Rng rng(16);
  Tensor x = test::param({5, 2, 3}, rng, -1, 1), w = test::param({3, 3}, rng);
  LIFRecurrentState s0{test::param({2, 3}, rng, 0, 1), test::param({2, 3}, rng, -0.3f, 0.3f),
                       test::param({2, 3}, rng, -0.5f, 0.5f)};
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        return lif_recurrent_sequence(t[0], t[1], {t[2], t[3], t[4]}, p, true).v;
      },
      {x, w, s0.z, s0.v, s0.i}));
}

// Large enough for several threads' slices of batch rows: the slices' spikes merge in order.
namespace {

// The spike index lif_recurrent_sequence attaches to z is z's non-zeros, and a read-out and the
// recurrent weight gradient computed from it equal those computed from z's values. Returns the
// number of spikes.
size_t check_spike_index(int64_t T, int64_t B, int64_t H, float x_max, uint64_t seed) {
  LIFParameters p;
  Rng rng(seed);
  Tensor x = test::param({T, B, H}, rng, 0, x_max), w = test::param({H, H}, rng, -1, 1);
  Tensor wr = test::param({7, H}, rng, -1, 1);
  LIFRecurrentState s0{Tensor::zeros({B, H}), Tensor::zeros({B, H}), Tensor::zeros({B, H})};
  size_t spikes = 0;
  auto run = [&](bool keep_index) {
    for (Tensor t : {x, w, wr}) t.zero_grad();
    Tensor z = lif_recurrent_sequence(x, w, s0, p, false).z;
    const Storage::SpikeIndex* index = z.spike_index();
    REQUIRE(index != nullptr);
    std::vector<int64_t> want;
    const float* values = std::as_const(z).data();  // a read keeps the index
    for (int64_t k = 0; k < z.numel(); ++k)
      if (values[k] != 0) want.push_back(k);
    CHECK(want.size() > 100);
    CHECK(index->size() == want.size());
    CHECK(*index == want);
    spikes = want.size();
    // A read-out as the MNIST model's; without the index it scans the values.
    Tensor zr = keep_index ? z : z * 1.0f;
    CHECK((zr.spike_index() != nullptr) == keep_index);
    sum(linear(zr, wr) * linear(zr, wr)).backward();
    return Tensors{z.detach(), x.grad().clone(), w.grad().clone(), wr.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  for (size_t k = 0; k < a.size(); ++k) CHECK(max(abs(a[k] - b[k])).item() == 0);
  return spikes;
}

}  // namespace

TEST_CASE("lif_recurrent_sequence attaches the spike index of z; the results are the same") {
  check_spike_index(30, 64, 40, 0.4f, 31);
}

TEST_CASE("lif_recurrent_sequence's spike index at the MNIST rec size (threaded merge and rows)") {
  // Past 2^14 spikes the slices' lists are merged, and the weight gradient's rows rebuilt from
  // the index, by all threads at once (cell_scan.hpp, spike_matmul.cpp).
  // Under 20% (kSpikeDensityThreshold): the weight gradient takes the sparse path.
  const size_t spikes = check_spike_index(32, 256, 100, 0.6f, 32);
  CHECK(spikes >= (size_t(1) << 14));
  CHECK(double(spikes) < kSpikeDensityThreshold * 32 * 256 * 100);
}

// A burst of input makes a few steps denser than the sparse product's threshold (20%): in
// Fashion-MNIST training the hidden layer reached 21% at step 23 of 32 after 60 batches, and
// the layer then lost its spike index for the whole batch (the read-out and the weight gradient
// scanned z again). Each step's spikes are listed whatever their density; only that step's
// recurrent product goes dense.
TEST_CASE("lif_recurrent_sequence keeps the spike index through a dense step") {
  LIFParameters p;
  Rng rng(32);
  const int64_t T = 12, B = 16, H = 40;
  Tensor x = test::param({T, B, H}, rng, 0, 0.4f), w = test::param({H, H}, rng, -1, 1);
  {
    NoGrad ng;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H / 2; ++h) x.at({3, b, h}) = 30.0f;  // step 4 spikes at >= 50%
  }
  Tensor wr = test::param({7, H}, rng, -1, 1);
  LIFRecurrentState s0{Tensor::zeros({B, H}), Tensor::zeros({B, H}), Tensor::zeros({B, H})};
  auto run = [&](bool keep_index) {
    for (Tensor t : {x, w, wr}) t.zero_grad();
    Tensor z = lif_recurrent_sequence(x, w, s0, p, false).z;
    const float* values = std::as_const(z).data();
    float densest = 0;
    for (int64_t t = 0; t < T; ++t) {
      float ones = 0;
      for (int64_t k = 0; k < B * H; ++k) ones += values[t * B * H + k];
      densest = std::max(densest, ones / float(B * H));
    }
    CHECK(densest > 0.5f);
    const Storage::SpikeIndex* index = z.spike_index();
    REQUIRE(index != nullptr);
    std::vector<int64_t> want;
    for (int64_t k = 0; k < z.numel(); ++k)
      if (values[k] != 0) want.push_back(k);
    CHECK(*index == want);
    Tensor zr = keep_index ? z : z * 1.0f;
    sum(linear(zr, wr) * linear(zr, wr)).backward();
    return Tensors{z.detach(), x.grad().clone(), w.grad().clone(), wr.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  for (size_t k = 0; k < a.size(); ++k) CHECK(max(abs(a[k] - b[k])).item() == 0);
}

// The initial spikes' gradient is computed only when they require grad; the other gradients do
// not depend on it.
TEST_CASE("lif_recurrent_sequence: z0 without grad leaves the other gradients unchanged") {
  LIFParameters p;
  Rng rng(33);
  const int64_t T = 6, B = 5, H = 8;
  Tensor x = test::param({T, B, H}, rng, 0, 0.6f), w = test::param({H, H}, rng, -1, 1);
  Tensor z0 = Tensor::zeros({B, H});
  z0.at({1, 2}) = 1.0f, z0.at({3, 0}) = 1.0f;  // a few initial spikes
  auto run = [&](bool z0_grad) {
    for (Tensor t : {x, w}) t.zero_grad();
    Tensor z0r = z0.clone();
    z0r.requires_grad_(z0_grad);
    LIFRecurrentState s0{z0r, Tensor::zeros({B, H}), Tensor::zeros({B, H})};
    sum(lif_recurrent_sequence(x, w, s0, p, true).v).backward();
    CHECK(z0r.grad().defined() == z0_grad);
    return Tensors{x.grad().clone(), w.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  for (size_t k = 0; k < a.size(); ++k) CHECK(max(abs(a[k] - b[k])).item() == 0);
}

TEST_CASE("LIFRecurrentModel: the projection takes the recurrent input in place, same results") {
  // The model's scan adds z_{t-1} W_rec^T into its own input projection's buffer (cell_scan's
  // x_scratch); the public sequence copies each step. Same spikes, states and gradients, sparse
  // and dense steps, with and without recorded states.
  LIFParameters p;
  Rng rng(35);
  const int64_t T = 12, B = 6, H = 20, I = 9;
  for (float x_max : {0.8f, 8.0f}) {
    for (bool record : {false, true}) {
      CAPTURE(x_max);
      CAPTURE(record);
      Tensor x = Tensor::rand({T, B, I}, rng, 0, x_max);
      Tensor w_in = test::param({H, I}, rng, -1, 1), w_rec = test::param({H, H}, rng, -1, 1);
      const LIFRecurrentState s0 = lif_recurrent_initial_state({B, H}, p);
      auto run = [&](bool model) {
        w_in.zero_grad(), w_rec.zero_grad();
        Tensor z, v;
        if (model) {
          Sequence<LIFRecurrentState> r =
              LIFRecurrentModel::sequence(x, s0, w_in, w_rec, p, record);
          z = r.z, v = r.state.v;
        } else {
          LIFRecurrentSequence r = lif_recurrent_sequence(linear(x, w_in), w_rec, s0, p, record);
          z = r.z, v = r.state.v;
        }
        (sum(z * z) + sum(v)).backward();
        return Tensors{z.detach(), v.detach(), w_in.grad().clone(), w_rec.grad().clone()};
      };
      Tensors a = run(true), b = run(false);
      CHECK(sum(a[0]).item() > 10);
      for (size_t k = 0; k < a.size(); ++k) CHECK(max(abs(a[k] - b[k])).item() == 0);
    }
  }
}
