#pragma once
// `soma dsqn --stage ...`: the deep spiking Q-network experiments (Hahn 2020, "Deep Spiking Q
// Networks", CartPole) as one task family. Each stage reads what earlier stages wrote:
//   dqn         train the ANN [4,16,16,2] by Double DQN          -> dqn.safetensors (+ dqn_best)
//   dsqn        train the SQN [5,17,17,2], T 20, by Double DQN   -> dsqn.safetensors (+ dsqn_best)
//   replay      --net DQN: 20 000 greedy states + Q-values       -> replay.safetensors
//   classifier  --replay, --model ann|sqn: train on argmax Q     -> classifier_<model>.safetensors
//   convert     --net ANN, --replay: robust normalisation         -> converted.safetensors
//   evaluate    --net (tested), --reference: 100 episodes at the 500 cap, mean +- std and the
//               agreement, in the ANN, the SQN or the clock-driven NEST-like simulator
//   export      --net, --export_pynn FILE.py: a runnable PyNN script for one input
//   play        the demo: a trained SNN policy (default: the shipped DSQN) drives the cart live,
//               publishing its spikes and Q-values (the web playground's "dsqn" demo)
// One step() is one episode (training, evaluation, replay), 1000 classifier iterations, or
// `chunk` environment steps (play).
#include <memory>

#include "tasks/framework/task.hpp"

namespace soma {

class DsqnStage;

class DsqnTask : public Task {
 public:
  DsqnTask();
  ~DsqnTask() override;
  std::string name() const override { return "dsqn"; }
  std::string description() const override {
    return "deep spiking Q-networks on cart-pole: DQN, DSQN, conversion, NEST-like simulation";
  }
  const ParamTable& params() const override { return table_; }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void update_params(const ParamValues& v) override;
  std::string finish() override;

 private:
  ParamTable table_;
  std::unique_ptr<ParamValues> values_;
  std::unique_ptr<DsqnStage> stage_;
};

}  // namespace soma
