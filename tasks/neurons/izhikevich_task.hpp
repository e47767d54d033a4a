#pragma once
// `izhikevich`: the 20 behaviours of Izhikevich (2004, figure 1), one at a time, each with the
// input current of its figure panel (core/neuron/izhikevich_presets.hpp): tonic and phasic
// spiking and bursting, adaptation, resonance, rebound, bistability, ... The task integrates
// the panel's duration, chunk_ms of it per step, and publishes
//   "membrane potential"  v (mV) over the panel's time;
//   "input current"       I, the panel's stimulus;
//   "instantaneous rate"  1 / (interval to the previous spike), in Hz, at each spike's time.
// With `repeat` (the web page's default) it starts the panel again when it ends, so the demo
// keeps drawing until paused; the rates then go on along the time since the first pass.
#include "core/neuron/izhikevich.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

struct IzhikevichPreset;

class IzhikevichTask : public Task {
 public:
  IzhikevichTask();
  std::string name() const override { return "izhikevich"; }
  std::string description() const override {
    return "the 20 spiking behaviours of Izhikevich (2004), each with its figure's input";
  }
  std::optional<std::string> web_query() const override { return "repeat=true"; }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  std::string finish() override;

  const std::vector<double>& spike_times_ms() const { return spikes_ms_; }

 private:
  void start_panel();
  const IzhikevichPreset* preset_ = nullptr;
  IzhikevichState state_;
  Traces v_, input_;
  std::vector<double> spikes_ms_;  // of the current pass over the panel
  int64_t step_ = 0, passes_ = 0;
};

}  // namespace soma
