#pragma once
// `neurons`: every neuron model of core/neuron/ under the classic first experiment of Brian and
// NEST tutorials, the f-I curve. A population of `neurons` independent neurons of one model gets
// constant inputs rising evenly from 0 to current_max (the model's own range times
// current_scale); the task simulates `duration_ms` of the model's time, chunk_ms per step, and
// publishes
//   "firing rate"       the f-I curve so far: spikes / simulated time (Hz) against the input;
//   "membrane voltage"  v of three neurons (a quarter, half and all of the top input), the
//                       latest 500 steps;
//   "spikes"            the raster, one row per neuron, input rising upwards, the latest 2000;
//   "state X"           the model's other telling variable for the same three neurons (i, b,
//                       a, rho, u, g_e: neuron_zoo.hpp), where it has one.
// With noise > 0 each input gets Gaussian noise every step, of standard deviation noise times
// the top input: near the rheobase, firing turns irregular and the f-I curve smooths out.
// Models, step lengths and input ranges: tasks/neurons/neuron_zoo.hpp. No learning: a
// simulation whose numbers the tests check against the models' equations (rheobase, rate).
#include "core/random/rng.hpp"
#include "tasks/framework/task.hpp"
#include "tasks/neurons/neuron_zoo.hpp"

namespace soma {

struct NeuronsKeys {
  static constexpr const char* rate = "firing rate";
  static constexpr const char* voltage = "membrane voltage";
  static constexpr const char* spikes = "spikes";
};

class NeuronsTask : public Task {
 public:
  NeuronsTask();
  std::string name() const override { return "neurons"; }
  std::string description() const override {
    return "f-I curves and voltage traces of every neuron model (LIF ... AdEx, Izhikevich)";
  }
  // About real time at 8 steps a frame and 60 frames a second, for 10 s; a step (2 ms of 40
  // neurons) takes a few microseconds.
  std::optional<std::string> web_query() const override { return "duration_ms=10000&chunk_ms=2"; }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  std::string finish() override;

  const std::vector<float>& inputs() const { return inputs_; }
  const std::vector<int64_t>& spike_counts() const { return counts_; }
  double step_ms() const { return step_ms_; }

 private:
  void publish(const PopulationChunk& c);
  std::unique_ptr<NeuronPopulation> pop_;
  std::vector<float> inputs_;
  std::vector<int64_t> counts_, traced_;  // traced_: the neurons in "membrane voltage"
  Traces voltage_, extra_;
  Raster raster_;
  Rng rng_{0};
  double top_ = 0;
  double elapsed_ms() const { return double(steps_) * step_ms_; }
  double step_ms_ = 1;
  int64_t steps_ = 0;
};

}  // namespace soma
