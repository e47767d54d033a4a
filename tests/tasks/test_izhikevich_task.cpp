#include <doctest/doctest.h>

#include <algorithm>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/izhikevich_presets.hpp"
#include "core/ops/reduce.hpp"
#include "tasks/neurons/izhikevich_task.hpp"

using namespace soma;

namespace {
void run(IzhikevichTask& t, const std::string& preset, double chunk_ms, bool repeat = false,
         int max_steps = 100000) {
  ParamValues v(t.params());
  v.set_string("preset", preset);
  v.set_float("chunk_ms", chunk_ms);
  v.set_bool("repeat", repeat);
  t.setup(v, {});
  for (int k = 0; k < max_steps && !t.done(); ++k) t.step();
}
}  // namespace

TEST_CASE("izhikevich task: each panel's spikes are those of the preset's own run") {
  for (const char* name : {"tonic_spiking", "phasic_spiking", "tonic_bursting", "rebound_spike"}) {
    INFO(name);
    const IzhikevichPreset& p = izhikevich_preset(name);
    NoGrad ng;
    Sequence<IzhikevichState> r =
        izhikevich_sequence(izhikevich_preset_input(p), izhikevich_preset_state(p), p.p);
    IzhikevichTask t;
    run(t, name, 3);  // chunks that do not divide the panel
    CHECK(double(t.spike_times_ms().size()) == sum(r.z).item());
    const Traces* v = t.telemetry().find_traces("membrane potential");
    REQUIRE(v != nullptr);
    CHECK(v->steps == p.steps());
    CHECK(t.finish().find(std::to_string(t.spike_times_ms().size()) + " spikes") !=
          std::string::npos);
  }
}

TEST_CASE("izhikevich task: adaptation shows as a falling instantaneous rate; repeat goes on") {
  IzhikevichTask t;
  run(t, "spike_frequency_adaptation", 5);
  const Series* rate = t.telemetry().find_series("instantaneous rate");
  REQUIRE(rate != nullptr);
  REQUIRE(rate->y.size() >= 3);
  CHECK(rate->y.back() < rate->y.front() / 2);
  IzhikevichTask r;
  run(r, "phasic_spiking", 50, true, 40);  // 200 ms panel: 10 steps a pass
  CHECK(!r.done());
  CHECK(r.spike_times_ms().size() == 1);  // this pass's spike
  // Tonic spiking repeated: the rates of earlier passes stay, later ones further right, so a
  // look at any moment finds points (the web page's test samples at a random step).
  IzhikevichTask tonic;
  run(tonic, "tonic_spiking", 5, true, 55);  // 100 ms panel, 21 steps a pass: into the third
  const Series* rates = tonic.telemetry().find_series("instantaneous rate");
  REQUIRE(rates != nullptr);
  REQUIRE(rates->x.size() >= 4);
  CHECK(rates->x.back() > 200);
  CHECK(std::is_sorted(rates->x.begin(), rates->x.end()));
}
