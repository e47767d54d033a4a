// STDP on cuda tensors (core/plasticity/stdp.hpp, stdp_conv.hpp) against the CPU: the traces
// and the weights after several steps, every rule, the linear and the convolutional form. Runs
// only on a machine with a GPU.
#include <doctest/doctest.h>

#include "core/autograd/grad_mode.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/plasticity/stdp.hpp"
#include "core/plasticity/stdp_conv.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;

Tensor random_spikes(const Shape& shape, Rng& rng, float rate) {
  Tensor z = Tensor::rand(shape, rng);
  z.array() = (z.array() < rate).cast<float>();
  return z;
}

STDPParameters rule_params(STDPRule rule) {
  STDPParameters p;
  p.rule = rule;
  p.eta_plus = p.eta_minus = 0.05f;  // updates large enough to reach the bounds
  if (rule == STDPRule::multiplicative_pow) p.mu = 0.5f;
  return p;
}

// Several steps of `step` on the CPU and on the GPU from the same weights and spikes.
template <class Step>
void compare_steps(const Shape& w_shape, const Shape& pre, const Shape& post, Step step) {
  NoGrad ng;
  for (STDPRule rule : {STDPRule::additive, STDPRule::additive_step, STDPRule::multiplicative_pow,
                        STDPRule::multiplicative_relu})
    for (bool hardbound : {true, false}) {
      CAPTURE(int(rule));
      CAPTURE(hardbound);
      STDPParameters p = rule_params(rule);
      p.hardbound = hardbound;
      Rng rng(11);
      Tensor w = Tensor::rand(w_shape, rng, 0.0f, 1.0f), dw = w.cuda();
      const Tensor w0 = w.clone();
      STDPState s = stdp_initial_state(pre, post);
      STDPState ds{s.t_pre.cuda(), s.t_post.cuda()};
      for (int t = 0; t < 6; ++t) {
        const Tensor zi = random_spikes(pre, rng, 0.3f), zo = random_spikes(post, rng, 0.3f);
        step(zi, zo, w, s, p);
        step(zi.cuda(), zo.cuda(), dw, ds, p);
      }
      CHECK(sum(abs(w - w0)).item() > 0.05f);  // real updates
      check_close_to_scale(s.t_pre, ds.t_pre, 1e-6f);
      check_close_to_scale(s.t_post, ds.t_post, 1e-6f);
      check_close_to_scale(w, dw, 1e-5f);
    }
}

}  // namespace

TEST_CASE("cuda: stdp_step_linear equals the CPU's: traces and weights, every rule") {
  compare_steps({5, 7}, {4, 7}, {4, 5},
                [](const Tensor& zi, const Tensor& zo, Tensor& w, STDPState& s,
                   const STDPParameters& p) { stdp_step_linear(zi, zo, w, s, p); });
}

TEST_CASE("cuda: stdp_step_conv2d equals the CPU's: traces and weights, every rule") {
  const Conv2dOptions opt{1, 1};
  compare_steps({2, 3, 3, 3}, {2, 3, 4, 5}, {2, 2, 4, 5},
                [&](const Tensor& zi, const Tensor& zo, Tensor& w, STDPState& s,
                    const STDPParameters& p) { stdp_step_conv2d(zi, zo, w, s, p, opt); });
}
