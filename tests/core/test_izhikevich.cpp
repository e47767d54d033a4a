#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/izhikevich_presets.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {
// Spike times in ms of a preset driven by its own input, or by `input` when given.
std::vector<float> spike_times(const IzhikevichPreset& preset, Tensor input = Tensor()) {
  NoGrad ng;
  if (!input.defined()) input = izhikevich_preset_input(preset);
  Tensor z = izhikevich_sequence(input, izhikevich_preset_state(preset), preset.p).z;
  std::vector<float> t;
  for (int64_t k = 0; k < z.numel(); ++k)
    if (z.data()[k] > 0) t.push_back(float(k) * preset.step_ms());
  return t;
}

std::vector<float> intervals(const std::vector<float>& t) {
  std::vector<float> isi;
  for (size_t k = 1; k < t.size(); ++k) isi.push_back(t[k] - t[k - 1]);
  return isi;
}
}  // namespace

TEST_CASE("izhikevich steps equal values computed by hand") {
  // Tonic spiking cell (0.02, 0.2, -65, 6), v = -70, u = -14, I = 14, step 0.25 ms:
  // v = -70 + 0.25 (196 - 350 + 140 + 14 + 14) = -66.5; explicit u = -14 + 0.005 (-14 + 14) = -14,
  // semi-implicit u = -14 + 0.005 (0.2 * -66.5 + 14) = -13.9965.
  IzhikevichParameters p = izhikevich_preset("tonic_spiking").p;
  CHECK(p.semi_implicit);
  p.semi_implicit = false;
  Tensor input = Tensor::full({3, 1}, 14);
  IzhikevichState s0 = izhikevich_initial_state({1}, -70, -14);
  Sequence<IzhikevichState> r = izhikevich_sequence(input, s0, p, true);
  test::check_close(r.states.v, {-66.5f, -63.4025f, -60.4577299f});
  test::check_close(r.states.u, {-14, -13.9965f, -13.98992f});
  test::check_close(r.z, {0, 0, 0});
  p.semi_implicit = true;
  r = izhikevich_sequence(input, s0, p, true);
  test::check_close(r.states.v, {-66.5f, -63.403375f, -60.4602339f});
  test::check_close(r.states.u, {-13.9965f, -13.9899209f, -13.9804315f});
  // From v = 25, u = -10, I = 10 the step crosses 30 (v~ = 102.5): v <- c, u <- u~ + d.
  IzhikevichStep step =
      izhikevich_step(Tensor::full({1}, 10), izhikevich_initial_state({1}, 25, -10), p);
  CHECK(step.z.item() == 1);
  CHECK(step.state.v.item() == -65);
  CHECK(step.state.u.item() ==
        doctest::Approx(-10 + 0.005f * (0.2f * 102.5f + 10) + 6).epsilon(1e-6));
  p.semi_implicit = false;
  step = izhikevich_step(Tensor::full({1}, 10), izhikevich_initial_state({1}, 25, -10), p);
  CHECK(step.state.u.item() == doctest::Approx(-3.925f).epsilon(1e-6));
}

TEST_CASE("izhikevich sequence passes a gradient check below threshold") {
  Rng rng(51);
  IzhikevichParameters p;
  p.a = 0.1f;  // a visible u within a few steps
  Tensor input = test::param({5, 2, 2}, rng, 0, 4);
  Tensor v0 = test::param({2, 2}, rng, -70, -62), u0 = test::param({2, 2}, rng, -15, -12);
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        Sequence<IzhikevichState> r = izhikevich_sequence(t[0], {t[1], t[2]}, p, true);
        CHECK(sum(r.z).item() == 0);
        return cat({r.states.v, r.states.u}, 0) * 0.05f;  // O(1) outputs for float32 differences
      },
      {input, v0, u0}, {0.05f, 2e-2f, 2e-3f}));
}

TEST_CASE("izhikevich presets: every name is found, unknown names list the valid ones") {
  CHECK(izhikevich_presets().size() == 20);
  for (const char* name : {"tonic_spiking",
                           "phasic_spiking",
                           "tonic_bursting",
                           "phasic_bursting",
                           "mixed_mode",
                           "spike_frequency_adaptation",
                           "class_1_exc",
                           "class_2_exc",
                           "spike_latency",
                           "subthreshold_oscillation",
                           "resonator",
                           "integrator",
                           "rebound_spike",
                           "rebound_burst",
                           "threshold_variability",
                           "bistability",
                           "dap",
                           "accomodation",
                           "inhibition_induced_spiking",
                           "inhibition_induced_bursting"}) {
    const IzhikevichPreset& preset = izhikevich_preset(name);
    CHECK(std::string(preset.name) == name);
    Tensor input = izhikevich_preset_input(preset);
    CHECK(input.size(0) == preset.steps());
    NoGrad ng;
    Tensor v = izhikevich_sequence(input, izhikevich_preset_state(preset), preset.p, true).states.v;
    std::vector<float> vs = v.to_vector();
    CHECK(std::all_of(vs.begin(), vs.end(), [](float e) { return std::isfinite(e); }));
  }
  try {
    izhikevich_preset("tonic_spiker");
    FAIL("no throw");
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    CHECK(what.find("tonic_spiker") != std::string::npos);
    CHECK(what.find("inhibition_induced_bursting") != std::string::npos);
  }
}

TEST_CASE("izhikevich presets produce their named patterns") {
  SUBCASE("tonic spiking fires regularly") {
    const IzhikevichPreset& preset = izhikevich_preset("tonic_spiking");
    std::vector<float> isi = intervals(spike_times(preset, izhikevich_preset_input(preset, 2000)));
    REQUIRE(isi.size() >= 10);
    // After an onset transient of three intervals (d = 6 builds up u) the rhythm is regular.
    auto [lo, hi] = std::minmax_element(isi.begin() + 3, isi.end());
    CHECK(*hi - *lo <= 0.5f);  // within two steps
    CHECK(isi.front() < *lo / 2);
  }
  SUBCASE("phasic spiking fires once and stays silent") {
    std::vector<float> t = spike_times(izhikevich_preset("phasic_spiking"));
    REQUIRE(t.size() == 1);
    CHECK(t[0] > 20);
  }
  SUBCASE("tonic bursting fires in bursts: short and long intervals") {
    std::vector<float> isi = intervals(spike_times(izhikevich_preset("tonic_bursting")));
    REQUIRE(isi.size() >= 6);
    int short_isi = 0, long_isi = 0;
    for (float d : isi) (d < 10 ? short_isi : long_isi) += d < 10 || d > 30;
    CHECK(short_isi + long_isi == int(isi.size()));  // nothing in between
    CHECK(short_isi >= 2 * long_isi);
    CHECK(long_isi >= 2);
  }
  SUBCASE("spike-frequency adaptation: intervals grow") {
    std::vector<float> isi =
        intervals(spike_times(izhikevich_preset("spike_frequency_adaptation")));
    REQUIRE(isi.size() >= 3);
    for (size_t k = 1; k < isi.size(); ++k) CHECK(isi[k] >= isi[k - 1]);
    CHECK(isi.back() > 2 * isi.front());
  }
  SUBCASE("other behaviours of the figure") {
    auto times = [](const char* name) { return spike_times(izhikevich_preset(name)); };
    std::vector<float> t = times("phasic_bursting");  // one burst at the onset, then silence
    REQUIRE(t.size() >= 3);
    CHECK(t.back() - t.front() < 40);
    CHECK(times("dap").size() == 1);  // a depolarising after-potential, not a second spike
    t = times("rebound_spike");       // one spike after the inhibitory pulse at 20-25 ms
    REQUIRE(t.size() == 1);
    CHECK(t[0] > 25);
    t = times("integrator");  // the close pulse pair (at 9 ms) sums to a spike, the far one not
    REQUIRE(t.size() == 1);
    CHECK(t[0] < 30);
    t = times("accomodation");  // the slow ramp accommodates, the fast one at 300 ms fires
    REQUIRE(t.size() == 1);
    CHECK(t[0] > 300);
    t = times("bistability");  // the first pulse switches tonic firing on, the second off
    REQUIRE(t.size() >= 3);
    CHECK(t.front() > 37.5f);
    CHECK(t.back() < 221);
    t = times("inhibition_induced_bursting");  // bursts only while I drops to 75
    REQUIRE(t.size() >= 6);
    CHECK(t.front() > 50);
    CHECK(t.back() < 260);
  }
  SUBCASE("class 1 excitability: the rate grows with the current") {
    const IzhikevichPreset& preset = izhikevich_preset("class_1_exc");
    size_t previous = 0;
    for (float current : {15.0f, 20.0f, 30.0f, 45.0f}) {
      size_t n = spike_times(preset, Tensor::full({2000, 1}, current)).size();
      CHECK(n > previous);
      previous = n;
    }
  }
}

TEST_CASE("Izhikevich module runs a preset and records v and u") {
  const IzhikevichPreset& preset = izhikevich_preset("tonic_spiking");
  nn::Izhikevich layer(preset);
  layer.record_states = true;
  Tensor input = reshape(izhikevich_preset_input(preset), {-1, 1, 1});
  Tensor z = layer(input);
  CHECK(z.shape() == Shape{preset.steps(), 1, 1});
  std::vector<float> t = spike_times(preset);
  CHECK(sum(z).item() == float(t.size()));
  REQUIRE(layer.recorded().size() == 2);
  CHECK(layer.recorded()[0].first == "v");
  CHECK(layer.recorded()[1].first == "u");
  CHECK(layer.recorded()[1].second.shape() == Shape{preset.steps(), 1, 1});
  CHECK(layer.recorded()[0].second.at({0, 0, 0}) ==
        doctest::Approx(-70 + 0.25f * (196 - 350 + 140 + 14)));
  CHECK(layer.state.v.shape() == Shape{1, 1});
  nn::Izhikevich rs;  // defaults: regular spiking from v = -70, u = b v
  CHECK(rs.u0 == doctest::Approx(-14));
}
