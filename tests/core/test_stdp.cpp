#include <doctest/doctest.h>

#include "core/autograd/grad_mode.hpp"
#include "core/plasticity/stdp.hpp"
#include "core/plasticity/stdp_conv.hpp"
#include "core/plasticity/stdp_sensor.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

const STDPRule kRules[] = {STDPRule::additive, STDPRule::additive_step,
                           STDPRule::multiplicative_pow, STDPRule::multiplicative_relu};

STDPParameters rule_params(STDPRule rule) {
  STDPParameters p;
  p.rule = rule;
  if (rule == STDPRule::multiplicative_pow) p.mu = 0.5f;
  return p;
}

// One synapse, one pre and one post spike `gap` steps apart (gap < 0: post first); returns
// the final weight.
float pair(float w0, int gap, const STDPParameters& p) {
  Tensor w = Tensor::full({1, 1}, w0);
  STDPState s = stdp_initial_state({1, 1}, {1, 1});
  int t_pre = gap >= 0 ? 0 : -gap, t_post = gap >= 0 ? gap : 0;
  for (int t = 0; t < 3 + std::abs(gap); ++t)
    stdp_step_linear(Tensor::full({1, 1}, t == t_pre ? 1.0f : 0.0f),
                     Tensor::full({1, 1}, t == t_post ? 1.0f : 0.0f), w, s, p);
  return w.item();
}

Tensor random_spikes(const Shape& shape, Rng& rng, float rate) {
  Tensor z = Tensor::rand(shape, rng);
  z.array() = (z.array() < rate).cast<float>();
  return z;
}

// (B, K, L) -> (B L, K): one row per output pixel.
Tensor pixels_as_rows(const Tensor& x) {
  return reshape(permute(x, {0, 2, 1}), {x.size(0) * x.size(2), x.size(1)});
}

}  // namespace

TEST_CASE("stdp traces by hand") {
  STDPParameters p;  // dt tau_inv = 0.02, a = 1
  STDPState s = stdp_initial_state({1}, {1});
  std::vector<float> pre_spikes{1, 0, 0, 1}, post_spikes{0, 1, 0, 0}, pre, post;
  for (size_t t = 0; t < pre_spikes.size(); ++t) {
    stdp_traces_step(Tensor::full({1}, pre_spikes[t]), Tensor::full({1}, post_spikes[t]), s, p);
    pre.push_back(s.t_pre.item());
    post.push_back(s.t_post.item());
  }
  test::check_close(Tensor::from({4}, pre), {0.02f, 0.0196f, 0.019208f, 0.03882384f}, 1e-7f);
  test::check_close(Tensor::from({4}, post), {0, 0.02f, 0.0196f, 0.019208f}, 1e-7f);
}

TEST_CASE("stdp linear weight update by hand: pre at step 0, post at step 2") {
  STDPParameters p;
  // The post spike reads t_pre = 0.02 * 0.98^2; the pre spike saw t_post = 0.
  CHECK(pair(0.5f, 2, p) == doctest::Approx(0.5f + 1e-3f * 0.019208f).epsilon(1e-7));
  // Reversed: the pre spike reads t_post = 0.019208.
  CHECK(pair(0.5f, -2, p) == doctest::Approx(0.5f - 1e-3f * 0.019208f).epsilon(1e-7));
}

TEST_CASE("stdp linear equals the summed outer products z_post^T t_pre - t_post^T z_pre") {
  Rng rng(3);
  STDPParameters p;
  p.eta_plus = 0.01f, p.eta_minus = 0.02f;
  Tensor w = Tensor::rand({3, 4}, rng, 0.2f, 0.8f), w0 = w.clone(), w_start = w.clone();
  STDPState s = stdp_initial_state({2, 4}, {2, 3});
  Tensor t_pre = Tensor::zeros({2, 4}), t_post = Tensor::zeros({2, 3});
  for (int t = 0; t < 6; ++t) {
    Tensor zi = random_spikes({2, 4}, rng, 0.4f), zo = random_spikes({2, 3}, rng, 0.4f);
    stdp_step_linear(zi, zo, w, s, p);
    t_pre.array() = 0.98f * t_pre.array() + 0.02f * zi.array();
    t_post.array() = 0.98f * t_post.array() + 0.02f * zo.array();
    for (int64_t o = 0; o < 3; ++o)
      for (int64_t i = 0; i < 4; ++i) {
        float dw = 0;
        for (int64_t b = 0; b < 2; ++b)
          dw +=
              0.01f * zo.at({b, o}) * t_pre.at({b, i}) - 0.02f * t_post.at({b, o}) * zi.at({b, i});
        w0.at({o, i}) += dw;
      }
  }
  CHECK(sum(abs(w - w_start)).item() > 0.01f);  // weights did move
  test::check_close(w, w0.to_vector(), 1e-6f);
}

TEST_CASE("stdp: pre-before-post potentiates, post-before-pre depresses, every rule") {
  for (STDPRule rule : kRules) {
    CAPTURE(int(rule));
    STDPParameters p = rule_params(rule);
    CHECK(pair(0.5f, 3, p) > 0.5f);
    CHECK(pair(0.5f, -3, p) < 0.5f);
    // Closer pairs change the weight more.
    CHECK(pair(0.5f, 1, p) > pair(0.5f, 10, p));
    CHECK(pair(0.5f, -1, p) < pair(0.5f, -10, p));
  }
}

TEST_CASE("stdp: weights stay within [w_min, w_max]") {
  for (STDPRule rule : kRules) {
    CAPTURE(int(rule));
    STDPParameters p = rule_params(rule);
    p.eta_plus = p.eta_minus = 200.0f;  // one pairing overshoots without the bound
    CHECK(pair(0.9f, 1, p) == 1.0f);
    CHECK(pair(0.1f, -1, p) == 0.0f);
  }
  // additive_step stops at a bound by itself: no potentiation at w_max, no depression at w_min.
  STDPParameters p = rule_params(STDPRule::additive_step);
  p.hardbound = false;
  CHECK(pair(1.0f, 1, p) == 1.0f);
  CHECK(pair(0.0f, -1, p) == 0.0f);
  p.rule = STDPRule::additive;
  CHECK(pair(1.0f, 1, p) > 1.0f);
  CHECK(pair(0.0f, -1, p) < 0.0f);
}

TEST_CASE("stdp: multiplicative rules shrink the update near the bounds") {
  for (STDPRule rule : {STDPRule::multiplicative_pow, STDPRule::multiplicative_relu}) {
    CAPTURE(int(rule));
    STDPParameters p = rule_params(rule);
    p.eta_plus = p.eta_minus = 1.0f;  // changes well above float rounding at w = 0.9
    float up_low = pair(0.1f, 2, p) - 0.1f, up_high = pair(0.9f, 2, p) - 0.9f;
    float down_low = 0.1f - pair(0.1f, -2, p), down_high = 0.9f - pair(0.9f, -2, p);
    // A+ = eta (w_max - w)^mu: the ratio at w = 0.9 vs 0.1 is (0.1 / 0.9)^mu.
    float mu = rule == STDPRule::multiplicative_relu ? 1.0f : p.mu;
    CHECK(up_high / up_low == doctest::Approx(std::pow(1.0f / 9.0f, mu)).epsilon(1e-3));
    CHECK(down_low / down_high == doctest::Approx(std::pow(1.0f / 9.0f, mu)).epsilon(1e-3));
  }
  // mu = 0 is the additive rule.
  STDPParameters pow0 = rule_params(STDPRule::multiplicative_pow);
  pow0.mu = 0;
  CHECK(pair(0.9f, 2, pow0) == pair(0.9f, 2, STDPParameters{}));
}

TEST_CASE("unfold2d is the column matrix of conv2d") {
  NoGrad ng;
  Rng rng(5);
  Tensor x = Tensor::rand({2, 3, 5, 6}, rng), w = Tensor::rand({4, 3, 3, 2}, rng);
  Conv2dOptions opt{2, 1};
  Tensor y = conv2d(x, w, Tensor(), opt), cols = unfold2d(x, 3, 2, opt);
  REQUIRE(cols.shape() == Shape{2, 18, y.size(2) * y.size(3)});
  // conv2d(x, w)_b = W (4, 18) @ cols_b (18, L)
  for (int64_t b = 0; b < 2; ++b) {
    RowMatrix want =
        w.matrix(4, 18) * ConstMatrixMap(cols.data() + b * 18 * cols.size(2), 18, cols.size(2));
    test::check_close(select(y, b), std::vector<float>(want.data(), want.data() + want.size()),
                      1e-5f);
  }
}

TEST_CASE("stdp conv2d equals the linear rule on the unfolded patches") {
  NoGrad ng;
  Rng rng(7);
  Conv2dOptions opt{1, 1};
  STDPParameters p;
  p.eta_plus = p.eta_minus = 0.05f;
  p.rule = STDPRule::multiplicative_relu;
  Tensor w = Tensor::rand({2, 3, 3, 3}, rng, 0.2f, 0.8f);
  Tensor w0 = w.clone(), w_lin = reshape(w.clone(), {2, 27});
  STDPState s = stdp_initial_state({2, 3, 4, 5}, {2, 2, 4, 5});
  STDPState s_lin = stdp_initial_state({40, 27}, {40, 2});
  for (int t = 0; t < 5; ++t) {
    Tensor zi = random_spikes({2, 3, 4, 5}, rng, 0.3f), zo = random_spikes({2, 2, 4, 5}, rng, 0.3f);
    stdp_step_conv2d(zi, zo, w, s, p, opt);
    stdp_step_linear(pixels_as_rows(unfold2d(zi, 3, 3, opt)),
                     pixels_as_rows(reshape(zo, {2, 2, 20})), w_lin, s_lin, p);
  }
  CHECK(sum(abs(w - w0)).item() > 0.1f);  // the comparison exercises real updates
  test::check_close(w, w_lin.to_vector(), 1e-5f);
}

TEST_CASE("stdp conv2d with a 1x1 kernel is the linear rule on pixels") {
  NoGrad ng;
  Rng rng(9);
  STDPParameters p;
  p.eta_plus = p.eta_minus = 0.05f;
  p.rule = STDPRule::multiplicative_pow;
  p.mu = 0.7f;
  Tensor w = Tensor::rand({4, 3, 1, 1}, rng, 0.2f, 0.8f);
  Tensor w_lin = reshape(w.clone(), {4, 3});
  STDPState s = stdp_initial_state({2, 3, 3, 3}, {2, 4, 3, 3});
  STDPState s_lin = stdp_initial_state({18, 3}, {18, 4});
  for (int t = 0; t < 5; ++t) {
    Tensor zi = random_spikes({2, 3, 3, 3}, rng, 0.3f), zo = random_spikes({2, 4, 3, 3}, rng, 0.3f);
    stdp_step_conv2d(zi, zo, w, s, p);
    stdp_step_linear(pixels_as_rows(reshape(zi, {2, 3, 9})), pixels_as_rows(reshape(zo, {2, 4, 9})),
                     w_lin, s_lin, p);
  }
  test::check_close(w, w_lin.to_vector(), 1e-6f);
}

TEST_CASE("stdp rejects mismatched shapes") {
  Tensor w = Tensor::zeros({3, 4});
  STDPState s = stdp_initial_state({2, 4}, {2, 3});
  CHECK_THROWS(stdp_step_linear(Tensor::zeros({2, 3}), Tensor::zeros({2, 3}), w, s));
  Tensor wc = Tensor::zeros({2, 3, 3, 3});
  STDPState sc = stdp_initial_state({1, 3, 4, 4}, {1, 2, 4, 4});
  CHECK_THROWS(stdp_step_conv2d(Tensor::zeros({1, 3, 4, 4}), Tensor::zeros({1, 2, 4, 4}), wc, sc));
}

TEST_CASE("stdp sensor traces by hand") {
  STDPSensorParameters p;  // decay 1 - 0.01 per step, jump 1
  p.tau_ac_inv = 20.0f;    // post decays 1 - 0.02 per step
  STDPSensorState s = stdp_sensor_initial_state({1}, {1});
  std::vector<float> pre, post;
  for (int t = 0; t < 3; ++t) {
    stdp_sensor_step(Tensor::full({1}, t != 1 ? 1.0f : 0.0f),
                     Tensor::full({1}, t == 1 ? 1.0f : 0.0f), s, p);
    pre.push_back(s.a_pre.item());
    post.push_back(s.a_post.item());
  }
  test::check_close(Tensor::from({3}, pre), {1, 0.99f, 1.9801f}, 1e-6f);
  test::check_close(Tensor::from({3}, post), {0, 1, 0.98f}, 1e-6f);
}
