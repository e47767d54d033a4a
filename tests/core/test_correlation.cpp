#include <doctest/doctest.h>

#include "core/neuron/li.hpp"
#include "core/optim/adam.hpp"
#include "core/plasticity/correlation_sensor.hpp"
#include "core/plasticity/correlation_update.hpp"
#include "core/plasticity/lif_correlation.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

Tensor spikes(std::initializer_list<float> v) {
  return Tensor::from({1, int64_t(v.size())}, std::vector<float>(v));
}

CorrelationSensorState clone(const CorrelationSensorState& s) {
  return {s.post_pre.clone(), s.correlation.clone(), s.anti_correlation.clone()};
}

// A sensor state with non-trivial traces from a short random run.
CorrelationSensorState random_sensor(int64_t batch, int64_t out, int64_t in, Rng& rng) {
  CorrelationSensorState s = correlation_sensor_initial_state(batch, out, in);
  for (int t = 0; t < 30; ++t) {
    Tensor zi = Tensor::rand({batch, in}, rng), zo = Tensor::rand({batch, out}, rng);
    zi.array() = (zi.array() < 0.2f).cast<float>();
    zo.array() = (zo.array() < 0.2f).cast<float>();
    s = correlation_sensor_step(zi, zo, s);
  }
  return s;
}

}  // namespace

TEST_CASE("correlation sensor traces by hand: pre, post 3 steps later, pre again") {
  CorrelationSensorParameters p;  // eta 1, decay 0.01 per step
  CorrelationSensorState s = correlation_sensor_initial_state(1, 1, 1);
  std::vector<float> pre{1, 0, 0, 0, 0, 1, 0}, post{0, 0, 0, 1, 0, 0, 0}, c, ac, pp;
  for (size_t t = 0; t < pre.size(); ++t) {
    s = correlation_sensor_step(spikes({pre[t]}), spikes({post[t]}), s, p);
    c.push_back(s.correlation.item());
    ac.push_back(s.anti_correlation.item());
    pp.push_back(s.post_pre.item());
  }
  // c decays from the pre spike through the post spike's step, then holds until the next pre.
  test::check_close(Tensor::from({7}, c),
                    {1, 0.99f, 0.9801f, 0.970299f, 0.970299f, 1.970299f, 1.95059601f}, 1e-6f);
  // ac decays from the post spike through the next pre spike's step, then holds.
  test::check_close(Tensor::from({7}, ac), {0, 0, 0, 1, 0.99f, 0.9801f, 0.9801f}, 1e-6f);
  test::check_close(Tensor::from({7}, pp), {0, 0, 0, 1, 1, 0, 0});
}

TEST_CASE("correlation sensor: simultaneous spikes keep the flag; layout is (B, out, in)") {
  CorrelationSensorState s = correlation_sensor_initial_state(1, 1, 1);
  s = correlation_sensor_step(spikes({0}), spikes({1}), s);
  s = correlation_sensor_step(spikes({1}), spikes({1}), s);
  CHECK(s.post_pre.item() == 1.0f);
  // Synapse (o, i) sees pre neuron i and post neuron o only.
  CorrelationSensorState m = correlation_sensor_initial_state(2, 3, 2);
  Tensor zi = Tensor::from({2, 2}, {1, 0, 0, 0}), zo = Tensor::from({2, 3}, {0, 0, 0, 0, 1, 0});
  m = correlation_sensor_step(zi, zo, m);
  test::check_close(m.correlation, {1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0});
  test::check_close(m.anti_correlation, {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0});
  test::check_close(m.post_pre, {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0});
  CHECK_THROWS(correlation_sensor_step(zo, zi, m));
}

TEST_CASE("lif correlation step: recurrent LIF plus input and recurrent sensors") {
  Rng rng(4);
  LIFCorrelationParameters p;
  Tensor w_in = Tensor::rand({3, 5}, rng, 0.0f, 40.0f), w_rec = Tensor::rand({3, 3}, rng, -5, 5);
  LIFCorrelationState s = lif_correlation_initial_state(2, 5, 3, p);
  LIFRecurrentState lif = lif_recurrent_initial_state({2, 3}, p.lif);
  CorrelationSensorState in = correlation_sensor_initial_state(2, 3, 5);
  CorrelationSensorState rec = correlation_sensor_initial_state(2, 3, 3);
  float spikes_seen = 0;
  for (int t = 0; t < 12; ++t) {
    Tensor zi = Tensor::rand({2, 5}, rng);
    zi.array() = (zi.array() < 0.5f).cast<float>();
    LIFCorrelationStep step = lif_correlation_step(zi, w_in, w_rec, s, p);
    LIFRecurrentStep ref = lif_recurrent_step(linear(zi, w_in), w_rec, lif, p.lif);
    in = correlation_sensor_step(zi, ref.z, in, p.input);
    rec = correlation_sensor_step(lif.z, ref.z, rec, p.recurrent);
    lif = ref.state;
    s = step.state;
    test::check_close(step.z, ref.z.to_vector());
    test::check_close(s.lif.v, lif.v.to_vector());
    test::check_close(s.input.correlation, in.correlation.to_vector());
    test::check_close(s.input.anti_correlation, in.anti_correlation.to_vector());
    test::check_close(s.recurrent.correlation, rec.correlation.to_vector());
    test::check_close(s.recurrent.post_pre, rec.post_pre.to_vector());
    spikes_seen += sum(step.z).item();
  }
  CHECK(spikes_seen > 3);
}

TEST_CASE("correlation based update by hand") {
  CorrelationSensorState s = correlation_sensor_initial_state(2, 1, 2);  // out 1, in 2
  s.correlation.copy_(Tensor::from({2, 1, 2}, {1, 2, 3, 4}));            // batch mean 2, 3
  s.anti_correlation.copy_(Tensor::from({2, 1, 2}, {0, 1, 2, 1}));       // batch mean 1, 1
  s.post_pre.fill_(1.0f);
  Tensor w = Tensor::from({1, 2}, {0.5f, -0.5f});
  Tensor map_w = Tensor::from({2, 4}, {1, 0, 0, 0, 0, 1, 2, 0}), map_b = Tensor::from({2}, {0, 1});
  CHECK(correlation_based_update(3, w, s, map_w, map_b, 0.1f, 10).same_storage(w));
  CHECK(sum(s.correlation).item() == 10.0f);  // untouched between updates
  Tensor w2 = correlation_based_update(20, w, s, map_w, map_b, 0.1f, 10);
  // dw = (2, 3 + 2 * 1 + 1) = (2, 6)
  test::check_close(w2, {0.7f, 0.1f}, 1e-6f);
  CHECK(sum(abs(s.correlation)).item() == 0.0f);
  CHECK(sum(abs(s.anti_correlation)).item() == 0.0f);
  CHECK(sum(s.post_pre).item() == 4.0f);
  CHECK_THROWS(correlation_based_update(0, w, s, Tensor::zeros({2, 2}), map_b));
}

TEST_CASE("correlation based update gradient w.r.t. the maps and the weights") {
  Rng rng(6);
  CorrelationSensorState s0 = random_sensor(2, 2, 3, rng);
  CHECK(sum(s0.correlation).item() > 0.5f);
  CHECK(sum(s0.anti_correlation).item() > 0.5f);
  Tensor w = test::param({2, 3}, rng), map_w = test::param({6, 12}, rng),
         map_b = test::param({6}, rng);
  CHECK(test::gradcheck(
      [&](const Tensors& in) {
        CorrelationSensorState s = clone(s0);
        return correlation_based_update(0, in[0], s, in[1], in[2], 0.5f);
      },
      {w, map_w, map_b}));
}

TEST_CASE("correlation based update: the maps learn through the steps that follow") {
  // The updated weights drive an LI read-out for a few steps; the loss on its voltage reaches
  // the maps only through the update.
  Rng rng(8);
  CorrelationSensorState s0 = random_sensor(1, 2, 4, rng);
  Tensor w = Tensor::rand({2, 4}, rng, -1, 1), map_w = test::param({8, 16}, rng, -0.5f, 0.5f),
         map_b = test::param({8}, rng, -0.5f, 0.5f);
  Tensor z_in = Tensor::rand({5, 1, 4}, rng);
  z_in.array() = (z_in.array() < 0.5f).cast<float>();
  LIParameters li;
  auto readout = [&](const Tensor& mw, const Tensor& mb) {
    CorrelationSensorState s = clone(s0);
    Tensor w1 = correlation_based_update(0, w, s, mw, mb, 0.5f);
    LIFState st = lif_initial_state({1, 2}, {});
    Tensors vs;
    for (int64_t t = 0; t < 5; ++t) {
      st = li_step(linear(select(z_in, t), w1), st, li);
      vs.push_back(st.v);
    }
    return stack(vs);
  };
  CHECK(test::gradcheck([&](const Tensors& in) { return readout(in[0], in[1]); }, {map_w, map_b},
                        {1e-2f, 2e-2f, 2e-4f}));
  // Adam on the maps alone drives the read-out voltage to a target.
  optim::Adam adam({map_w, map_b}, {0.05f});
  auto loss = [&] { return sum(square(readout(map_w, map_b) - 0.05f)); };
  float first = loss().item();
  for (int k = 0; k < 30; ++k) {
    adam.zero_grad();
    Tensor l = loss();
    l.backward();
    adam.step();
  }
  CHECK(loss().item() < 0.1f * first);
}
