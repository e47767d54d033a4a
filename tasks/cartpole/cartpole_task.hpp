#pragma once
// Cart-pole balancing by REINFORCE with a spiking policy (Norse's `cartpole` task): one episode
// per step, returns discounted by gamma and normalised per episode, one optimizer step per episode
// (Adam by default; --optimizer, --lr_schedule and --clip_grad as every learning task has).
// Stops when the running reward (starts at 10; r <- 0.05 episode + 0.95 r) exceeds
// reward_threshold (475, CartPole-v1's), or after `episodes`. Norse's defaults: 100 episodes,
// learning rate 1e-3, gamma 0.99, seed 1234 (its README suggests 1000 episodes and 0.005).
// With chunk > 0 a step() runs at most `chunk` environment steps of the current episode (the
// update comes with the step that ends it), so a browser frame never waits for a whole episode.
// The run folder gets metrics.csv (one row per episode) and a checkpoint every checkpoint_every
// episodes and at the end: the policy, the optimizer, the random streams (actions, starts,
// dropout) and the records, so that --resume continues the very same run.
#include <memory>

#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "tasks/cartpole/cartpole_env.hpp"
#include "tasks/cartpole/policies.hpp"
#include "tasks/framework/run_record.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

// The telemetry cart-pole publishes; ui/ and tests find it by these names.
struct CartpoleKeys {
  // (cart position in m, pole angle in rad) per environment step of the last episode.
  static constexpr const char* state = "cart position and pole angle (last episode)";
  static constexpr const char* episode_reward = "episode reward";  // x: episode
  static constexpr const char* running_reward = "running reward";  // x: episode
  static constexpr const char* spikes = "policy spikes (last step)";
};

class CartpoleTask : public Task {
 public:
  CartpoleTask();
  std::string name() const override { return "cartpole"; }
  std::string description() const override {
    return "balance a pole on a cart with a spiking policy trained by REINFORCE";
  }
  nir::Graph to_nir() const override;
  void init_from_nir(const nir::Graph& g) override { policy_->import_nir(nir::Loader(g)); }
  const nn::Module* network() const override { return policy_.get(); }
  // Episodes capped at 200 steps, as CartPole-v0, and so v0's "solved" (a running reward over
  // 195): v1's 475 could never be reached under a 200-step cap.
  std::optional<std::string> web_query() const override {
    return "max_episode_steps=200&reward_threshold=195&episodes=300&chunk=4";
  }
  void setup(const ParamValues& v, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  void save(const std::string& dir) const override;
  void load(const std::string& dir) override;
  std::string finish() override;

  double running_reward() const { return running_; }

 private:
  // Runs up to `n` environment steps of the current episode (starting one if none is running);
  // returns true when the episode ended.
  bool run_episode(int64_t n);
  void end_episode();
  void write_run_files() const;  // metrics.csv and the checkpoint, into the run folder
  RunContext ctx_;
  MetricsTable metrics_{{"episode", "reward", "running_reward", "lr"}};
  std::unique_ptr<CartPole> env_;
  std::shared_ptr<Policy> policy_;
  std::unique_ptr<optim::Optimizer> opt_;
  std::unique_ptr<optim::LrSchedule> schedule_;  // counts episodes
  std::unique_ptr<Rng> rng_;
  int64_t episode_ = 0;
  // The episode in progress.
  bool in_episode_ = false;
  CartPole::Observation obs_{};
  std::vector<Tensor> log_probs_;
  std::vector<double> rewards_;
  Traces states_;
  double running_ = 10;
};

}  // namespace soma
