#pragma once
// Norse's correlation experiment: learning a plasticity rule. 100 Poisson inputs at 5 Hz drive a
// recurrent LIF layer (8 neurons) whose synapses carry correlation sensors; every 10 steps the
// input and recurrent weights move by learned linear maps of the sensors' traces
// (core/plasticity/correlation_update.hpp); an LI read-out (2) is decoded by the maximum over
// time, log-softmax and NLL against the sample's label. Adam trains the maps, the initial
// weights and the read-out through all the plastic updates of an episode (Norse detaches the
// update, so there only the read-out learns; here the rule itself is learned, as the
// experiment intends). One fixed sample (seed 42), 500 steps, 100 episodes, Adam 0.1.
// Writes the loss curve, metrics.csv (one row per episode) and a checkpoint every
// checkpoint_every episodes and at the end; --resume continues from it.
#include <memory>

#include "core/nn/spiking_layers.hpp"
#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "core/plasticity/lif_correlation.hpp"
#include "tasks/framework/run_record.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

// The telemetry the correlation task publishes, by name.
struct CorrelationKeys {
  static constexpr const char* loss = "loss";  // x: episode
};

class CorrelationTask : public Task {
 public:
  CorrelationTask();
  std::string name() const override { return "correlation"; }
  std::string description() const override {
    return "learn a plasticity rule from correlation sensors (Norse's correlation experiment)";
  }
  std::optional<std::string> web_query() const override {
    return "seq_length=100&input_features=20&episodes=300";
  }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  std::string finish() override;
  void save(const std::string& dir) const override;
  void load(const std::string& dir) override;

 private:
  Tensor episode_loss();         // runs one episode, returns its loss (with history)
  void write_run_files() const;  // metrics.csv and the checkpoint, into the run folder
  RunContext ctx_;
  // Every trained tensor under one name each, for the checkpoint (w_in, map_in.weight, ...).
  std::shared_ptr<nn::Module> trained_;
  MetricsTable metrics_{{"episode", "loss", "lr"}};
  LIFCorrelationParameters p_;
  Tensor x_, label_;     // (T, 1, I) input spikes; (1) the class
  Tensor w_in_, w_rec_;  // trainable initial weights
  std::shared_ptr<nn::SpikingLinear> readout_;
  Tensor map_in_w_, map_in_b_, map_rec_w_, map_rec_b_;  // the learned update rules
  std::unique_ptr<optim::Optimizer> opt_;
  std::unique_ptr<optim::LrSchedule> schedule_;  // counts episodes
  int64_t episode_ = 0;
  double first_loss_ = 0, last_loss_ = 0;
};

}  // namespace soma
