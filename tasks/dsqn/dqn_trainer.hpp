#pragma once
// Deep Q-learning on cart-pole as the DSQN seed trains its agents (train_agent, adapted from the
// PyTorch DQN tutorial; thesis "CartPole B/D"):
//   - circular replay of 40 000 transitions, batches of 128 drawn uniformly without replacement,
//     training from the first full batch, one gradient step per environment step;
//   - epsilon-greedy with eps = max(0.05, 0.999^n), n = environment steps so far (per step);
//   - Double DQN: the policy net picks the next action, the target net values it; target r for a
//     terminal next state; MSE loss; every gradient element clamped to [-1, 1]; Adam 1e-3;
//     gamma 0.999;
//   - the target net is a hard copy after every episode whose index is a multiple of 10 (0 too);
//   - episodes of at most 200 steps (CartPole-v0); the time-limit transition (t = 199) is not
//     stored; reward +1 per step;
//   - solved: the mean of the previous 100 episode rewards (the current one left out) >= 195 for
//     100 consecutive episodes. Training stops there; that model is the "trained" one. The model
//     with the best 100-episode mean is kept as "best".
// The same loop trains the ANN (DQN) and the SQN (DSQN); one step() is one episode.
#include <memory>
#include <vector>

#include "core/optim/adam.hpp"
#include "tasks/cartpole/cartpole_env.hpp"
#include "tasks/dsqn/qnet.hpp"

namespace soma::dsqn {

struct DqnOptions {
  int64_t episodes = 1000, max_steps = 200, replay = 40000, batch = 128;
  double lr = 1e-3, gamma = 0.999, eps_min = 0.05, eps_decay = 0.999;
  int64_t target_every = 10;
  double solved_mean = 195;
  int64_t solved_window = 100;
  uint64_t seed = 1;
};

class ReplayMemory {
 public:
  struct Transition {
    CartPole::Observation s, next;
    int action;
    float reward;
    bool terminal;
  };
  explicit ReplayMemory(int64_t capacity) : capacity_(capacity) {}
  void push(const Transition& t);
  int64_t size() const { return int64_t(data_.size()); }
  // `n` distinct transitions, uniformly.
  std::vector<const Transition*> sample(int64_t n, Rng& rng) const;

 private:
  int64_t capacity_, next_ = 0;
  std::vector<Transition> data_;
};

class DqnTrainer {
 public:
  DqnTrainer(std::shared_ptr<QNetwork> policy, const DqnOptions& opt);
  // One whole episode with learning. Returns its reward.
  double run_episode();
  bool done() const { return solved_at_ >= 0 || episode_ >= opt_.episodes; }

  int64_t episode() const { return episode_; }
  int64_t solved_at() const { return solved_at_; }  // -1 until solved
  double epsilon() const;
  double last_loss() const { return last_loss_; }
  double mean_last_100() const;  // of the episodes so far (up to 100)
  double best_mean() const { return best_mean_; }
  const std::vector<double>& rewards() const { return rewards_; }
  QNetwork& policy() { return *policy_; }
  // Snapshots: the network when solved, and at its best 100-episode mean.
  std::shared_ptr<QNetwork> trained() const { return trained_; }
  std::shared_ptr<QNetwork> best() const { return best_; }

 private:
  int select_action(const CartPole::Observation& s);
  void optimize();
  void end_episode(double reward);
  std::shared_ptr<QNetwork> policy_, target_, trained_, best_;
  DqnOptions opt_;
  Rng rng_;
  CartPole env_;
  ReplayMemory memory_;
  std::unique_ptr<optim::Adam> adam_;
  int64_t steps_done_ = 0, episode_ = 0, solved_at_ = -1, streak_ = 0;
  double last_loss_ = 0, best_mean_ = -1;
  std::vector<double> rewards_;
};

// The index of the largest value, ties to the lowest index (torch.argmax on cart-pole's 2).
int argmax_first(const float* q, int64_t n);

}  // namespace soma::dsqn
