// Optimizer steps and encoders on device tensors against their CPU twins (the GPU suite; the
// kernels' bodies are also checked on the host by tests/core/test_cuda_bodies.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "core/backend/cuda/encode_body.hpp"
#include "core/encode/encoders.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

// Four steps of the same optimizer on a cpu and a cuda copy of one parameter, with the same
// fresh gradient each step; the state dict moves back to the CPU and compares too.
template <class Make>
void compare_steps(Make make) {
  Tensor p = random_tensor({33, 17}, 1).requires_grad_();
  Tensor dp = p.detach().cuda().requires_grad_();
  auto opt = make(Tensors{p});
  auto dopt = make(Tensors{dp});
  for (int s = 0; s < 4; ++s) {
    Tensor g = random_tensor({33, 17}, uint64_t(10 + s));
    p.set_grad(g);
    dp.set_grad(g.cuda());
    opt->step();
    dopt->step();
    CHECK(dp.device() == Device::cuda);
    check_close_to_scale(p.to_vector(), dp.to_vector());
  }
  const auto sd = opt->state_dict(), dsd = dopt->state_dict();
  REQUIRE(sd.size() == dsd.size());
  for (const auto& [k, t] : sd) check_close_to_scale(t.to_vector(), dsd.at(k).to_vector());
}

}  // namespace

TEST_CASE("cuda: Adam, AdamW and SGD steps on device parameters equal the CPU steps") {
  compare_steps([](Tensors ps) { return std::make_unique<optim::Adam>(ps, optim::AdamOptions{}); });
  compare_steps([](Tensors ps) {
    return std::make_unique<optim::Adam>(ps, optim::AdamOptions{0.01f, 0.9f, 0.99f, 1e-8f, 0.1f});
  });
  compare_steps([](Tensors ps) { return std::make_unique<optim::AdamW>(ps); });
  compare_steps([](Tensors ps) {
    return std::make_unique<optim::SGD>(ps, optim::SGDOptions{0.1f, 0.9f, 0.0f, 0.01f, true});
  });
  compare_steps([](Tensors ps) {
    return std::make_unique<optim::SGD>(ps, optim::SGDOptions{0.1f, 0.0f, 0.0f, 0.0f, false});
  });
}

// --clip_grad on --device cuda read the gradients' host data and threw at the first step.
TEST_CASE("cuda: clipping and scaling device gradients equal the CPU's") {
  Tensors ps{random_tensor({33, 17}, 7).requires_grad_(), random_tensor({5}, 8).requires_grad_(),
             random_tensor({3}, 9).requires_grad_()};
  Tensors dps;
  for (size_t k = 0; k < ps.size(); ++k) {
    dps.push_back(ps[k].detach().cuda().requires_grad_());
    if (k == 2) continue;  // a parameter without a gradient is skipped
    Tensor g = random_tensor(ps[k].shape(), 20 + k);
    ps[k].set_grad(g);
    dps[k].set_grad(g.cuda());
  }
  const float norm = optim::clip_grad_norm_(ps, 0.5f), dnorm = optim::clip_grad_norm_(dps, 0.5f);
  REQUIRE(norm > 0.5f);  // so both scaled
  CHECK(dnorm == doctest::Approx(norm).epsilon(1e-5));
  optim::scale_grads_(ps, 0.25f);
  optim::scale_grads_(dps, 0.25f);
  for (size_t k = 0; k < 2; ++k) check_close_to_scale(ps[k].grad(), dps[k].grad());
  CHECK_FALSE(dps[2].grad().defined());
  CHECK(optim::clip_grad_norm_(dps, 1e6f) == doctest::Approx(optim::clip_grad_norm_(ps, 1e6f)));
}

TEST_CASE("cuda: an optimizer state loaded from a CPU checkpoint moves to the device") {
  Tensor p = random_tensor({8}, 2).requires_grad_();
  optim::Adam cpu({p}, {});
  p.set_grad(random_tensor({8}, 3));
  cpu.step();
  Tensor dp = p.detach().cuda().requires_grad_();
  optim::Adam gpu({dp}, {});
  gpu.load_state_dict(cpu.state_dict());
  Tensor g = random_tensor({8}, 4);
  p.set_grad(g);
  dp.set_grad(g.cuda());
  cpu.step();
  gpu.step();
  check_close_to_scale(p.to_vector(), dp.to_vector());
}

TEST_CASE("cuda: Poisson spikes equal the host Philox body bit for bit, rates as the CPU's") {
  Tensor x = random_tensor({4, 50}, 5, 0.0f, 1.0f);
  const int64_t T = 300;
  Rng r1(6), r2(6);
  Tensor z = poisson_encode(x.cuda(), T, r1, 100.0f, 1e-3f);
  CHECK(z.device() == Device::cuda);
  CHECK(z.shape() == Shape{T, 4, 50});
  const uint64_t key = uint64_t(r2.next_u32()) | uint64_t(r2.next_u32()) << 32;
  std::vector<float> host(size_t(T * 200)), xs = x.to_vector();
  const cuda::PoissonDraw d{key, 1e-3f * 100.0f, 200, T * 200};
  for (int64_t b = 0; b < (T * 200 + 3) / 4; ++b) cuda::poisson_block(d, xs.data(), host.data(), b);
  CHECK(z.to_vector() == host);
}

TEST_CASE("cuda: signed Poisson spikes equal the host Philox body bit for bit") {
  Tensor x = random_tensor({3, 40}, 8, -1.0f, 1.0f);
  const int64_t T = 200;
  Rng r1(9), r2(9);
  Tensor z = signed_poisson_encode(x.cuda(), T, r1, 100.0f, 1e-3f);
  CHECK(z.device() == Device::cuda);
  CHECK(z.shape() == Shape{T, 3, 40});
  const uint64_t key = uint64_t(r2.next_u32()) | uint64_t(r2.next_u32()) << 32;
  std::vector<float> host(size_t(T * 120)), xs = x.to_vector();
  const cuda::PoissonDraw d{key, 1e-3f * 100.0f, 120, T * 120, true};
  for (int64_t b = 0; b < (T * 120 + 3) / 4; ++b) cuda::poisson_block(d, xs.data(), host.data(), b);
  CHECK(z.to_vector() == host);
  CHECK(std::count(host.begin(), host.end(), -1.0f) > 0);
}

TEST_CASE("cuda: constant-current encoders equal the CPU's") {
  Tensor x = random_tensor({3, 70}, 7, 0.0f, 3.0f);
  CHECK(constant_current_encode(x.cuda(), 9).to_vector() ==
        constant_current_encode(x, 9).to_vector());
  const std::vector<float> cpu = constant_current_lif_encode(x, 40).to_vector();
  CHECK(constant_current_lif_encode(x.cuda(), 40).to_vector() == cpu);
  CHECK(std::count(cpu.begin(), cpu.end(), 1.0f) > 0);
}
