#include <doctest/doctest.h>

#include <filesystem>

#include "task_test_util.hpp"
#include "tasks/framework/run.hpp"
#include "tasks/neurons/neurons_task.hpp"
#include "tasks/registry.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {
std::unique_ptr<NeuronsTask> run(const std::string& model, int64_t neurons, double scale,
                                 double chunk_ms, double duration_ms = 1000) {
  auto task = std::make_unique<NeuronsTask>();
  NeuronsTask& t = *task;
  ParamValues v(t.params());
  v.set_string("model", model);
  v.set_int("neurons", neurons);
  v.set_float("current_scale", scale);
  v.set_float("chunk_ms", chunk_ms);
  v.set_float("duration_ms", duration_ms);
  t.setup(v, {});
  while (!t.done()) t.step();
  return task;
}
}  // namespace

TEST_CASE("neurons: LIF's rheobase is x = 0.2 and its rate follows the Euler recursion") {
  // With the synapse settled, j = 5x and v_k = 5x (1 - 0.9^k) from the reset: threshold 1 needs
  // x > 0.2. At x = 0.3 the first k with 1.5 (1 - 0.9^k) > 1 is 11: one spike every 11 steps,
  // 90.9 Hz at dt 1 ms (the first interval is a step or two longer while i builds up).
  auto sweep_task = run("lif", 61, 1, 20);  // inputs 0, 0.01, ..., 0.6
  NeuronsTask& sweep = *sweep_task;
  CHECK(sweep.inputs()[20] == doctest::Approx(0.2));
  CHECK(sweep.spike_counts()[20] == 0);
  CHECK(sweep.spike_counts()[21] > 0);
  auto at_task = run("lif", 2, 0.5, 20);  // inputs 0, 0.3
  NeuronsTask& at = *at_task;
  CHECK(at.spike_counts()[0] == 0);
  CHECK(at.spike_counts()[1] >= 89);
  CHECK(at.spike_counts()[1] <= 91);
}

TEST_CASE("neurons: every model is silent without input, fires at its top input, rises with it") {
  for (const NeuronKind& k : neuron_kinds()) {
    INFO(k.name);
    auto task = run(k.name, 12, 1, 25, 500);
    NeuronsTask& t = *task;
    const std::vector<int64_t>& c = t.spike_counts();
    CHECK(c.front() == 0);
    CHECK(c.back() > 0);
    for (size_t i = 1; i < c.size(); ++i) CHECK(c[i] + 1 >= c[i - 1]);  // one spike of slack
    const Series* rate = t.telemetry().find_series("firing rate");
    REQUIRE(rate != nullptr);
    CHECK(rate->y.back() ==
          doctest::Approx(double(c.back()) / (500.0 / 1000)).epsilon(t.step_ms() / 500 + 1e-9));
  }
}

TEST_CASE("neurons: the state carries across steps, so the chunk length changes nothing") {
  auto a = run("lif_adex", 9, 1, 7), b = run("lif_adex", 9, 1, 1000);
  CHECK(a->spike_counts() == b->spike_counts());
  auto c = run("izhikevich", 9, 1, 3, 200), d = run("izhikevich", 9, 1, 200, 200);
  CHECK(c->spike_counts() == d->spike_counts());
  CHECK(c->step_ms() == 0.25);
}

TEST_CASE(
    "neurons: plots keep the latest 500 (voltage) and 2000 (raster) steps; the CLI prints the "
    "rheobase") {
  auto task = run("lif", 4, 1, 500, 6000);
  NeuronsTask& t = *task;
  REQUIRE(t.telemetry().traces().size() == 2);  // v and LIF's synaptic current i
  for (const Traces& tr : t.telemetry().traces()) {
    CHECK(tr.steps == 500);
    CHECK(tr.values.size() == 500u * 3);
  }
  CHECK(t.telemetry().rasters()[0].steps == 2000);
  CHECK(t.telemetry().rasters()[0].spikes.size() == 2000u * 4);
  // Inputs 0, 0.1, ..., 2: LIF-box's v settles at x, so x = 1 stays silent.
  test::TempDir dir;
  test::CliResult r = test::run_cli({"neurons", "--model", "lif_box", "--neurons", "21",
                                     "--duration_ms", "200", "--out", dir / "run", "--quiet"});
  CHECK(r.code == 0);
  CHECK(r.out.find("lif_box (LIF without the synapse: x drives v directly): fires from x = 1.1 "
                   "(silent at 1)") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "run/plots/firing_rate.svg"));
  r = test::run_cli({"neurons", "--model", "hodgkin_huxley"});
  CHECK(r.code != 0);
  CHECK(r.err.find("lif_adex") != std::string::npos);
}

TEST_CASE(
    "neurons: the other state beside v (LSNN's threshold rises); noise fires below rheobase") {
  auto lsnn = run("lsnn", 4, 1, 50, 300);
  const Traces* b = lsnn->telemetry().find_traces("state b");
  REQUIRE(b != nullptr);
  CHECK(b->values.size() == size_t(b->steps) * 3);
  CHECK(b->values.back() > 1.5f);  // the top neuron's threshold, raised from 1 by its spikes
  CHECK(run("lif_box", 4, 1, 50, 100)->telemetry().find_traces("state i") == nullptr);
  // LIF at x = 0.18 (inputs 0, 0.18): silent without noise, firing with it, and the same seed
  // gives the same spikes.
  auto noisy = [](double noise) {
    auto t = std::make_unique<NeuronsTask>();
    ParamValues v(t->params());
    v.set_int("neurons", 2);
    v.set_float("current_scale", 0.3);
    v.set_float("noise", noise);
    v.set_float("duration_ms", 500);
    t->setup(v, {});
    while (!t->done()) t->step();
    return t->spike_counts()[1];
  };
  CHECK(noisy(0) == 0);
  CHECK(noisy(1) > 0);
  CHECK(noisy(1) == noisy(1));
}
