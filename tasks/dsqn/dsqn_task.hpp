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
#include <string>

#include "tasks/framework/task.hpp"

namespace soma {

class DsqnStage;

// The telemetry the stages publish; ui/ and tests find it by these names.
struct DsqnKeys {
  static constexpr const char* episode_reward = "episode reward";  // x: episode
  static constexpr const char* mean_reward = "mean of the last 100 episodes";
  static constexpr const char* agreement = "agreement";  // evaluate: share of equal argmax
  // play: (cart position in m, pole angle in rad) per step of the episode so far.
  static constexpr const char* state = "cart position and pole angle (this episode)";
  // play: (Q left, Q right) = the output potentials U_L[T], per step of the episode so far.
  static constexpr const char* q_values = "Q-values (this episode)";
  static constexpr const char* spikes = "hidden spikes (this step, both layers)";
};

class DsqnTask : public Task {
 public:
  DsqnTask();
  ~DsqnTask() override;
  std::string name() const override { return "dsqn"; }
  std::string description() const override {
    return "deep spiking Q-networks on cart-pole: DQN, DSQN, conversion, NEST-like simulation";
  }
  // The demo: the shipped DSQN drives the cart (play), episode after episode.
  std::optional<std::string> web_query() const override { return "eval_episodes=100000"; }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void update_params(const ParamValues& v) override;
  std::string finish() override;

 private:
  std::unique_ptr<DsqnStage> stage_;
};

}  // namespace soma
