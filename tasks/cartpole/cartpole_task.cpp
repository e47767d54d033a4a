#include "tasks/cartpole/cartpole_task.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/ops/ops.hpp"
#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/common_params.hpp"

namespace soma {
namespace {

// Discounted returns, normalised to zero mean and unit variance (the REINFORCE baseline).
std::vector<float> normalised_returns(const std::vector<double>& rewards, double gamma) {
  std::vector<float> g(rewards.size());
  double acc = 0, mean = 0, sq = 0;
  for (size_t i = rewards.size(); i-- > 0;) g[i] = float(acc = rewards[i] + gamma * acc);
  for (float x : g) mean += x;
  mean /= double(g.size());
  for (float x : g) sq += (x - mean) * (x - mean);
  double sd = std::sqrt(sq / double(g.size()));
  for (float& x : g) x = float((x - mean) / (sd + 1e-7));
  return g;
}

}  // namespace

CartpoleTask::CartpoleTask() {
  table_
      .add_choice("policy", "snn", {"snn", "lsnn", "ann"},
                  "snn: recurrent LIF policy; lsnn: adaptive LIF; ann: MLP")
      .alias("model")
      .restart();
  table_.add_int("episodes", 100, "episodes to train at most").min(1);
  table_.add_float("learning_rate", 1e-3, "Adam step size").range(1e-7, 1).restart();
  table_.add_float("gamma", 0.99, "discount factor").range(0, 1);
  // Bounded: the environment counts steps in an int, and an episode's graph grows with its steps.
  table_.add_int("max_episode_steps", 500, "time limit of an episode (CartPole-v1: 500)")
      .range(1, 100000)
      .restart();
  table_.add_float("reward_threshold", 475, "stop when the running reward exceeds this").min(0);
  table_.add_int("chunk", 0, "environment steps per step (0: a whole episode per step)").min(0);
  add_seed_param(table_, 1234);
  add_device_param(table_);
  add_surrogate_params(table_);
}

void CartpoleTask::setup(const ParamValues& v, const RunContext&) {
  values_ = std::make_unique<ParamValues>(v);
  const uint64_t seed = uint64_t(v.get_int("seed"));
  rng_ = std::make_unique<Rng>(seed);
  env_ = std::make_unique<CartPole>(seed + 1, int(v.get_int("max_episode_steps")));
  policy_ = make_policy(v.get_string("policy"), surrogate_of(v), *rng_);
  opt_ = std::make_unique<optim::Adam>(
      policy_->parameters(), optim::AdamOptions{.lr = float(v.get_float("learning_rate"))});
  episode_ = 0;
  running_ = 10;
  in_episode_ = false;
  telemetry_.clear();
}

bool CartpoleTask::run_episode(int64_t n) {
  if (!in_episode_) {
    obs_ = env_->reset();
    log_probs_.clear();
    rewards_.clear();
    states_ = Traces{"cart position and pole angle (last episode)", 0, 2, {}};
    in_episode_ = true;
  }
  policy_->train();
  for (int64_t k = 0; n <= 0 || k < n; ++k) {
    Tensor p = policy_->probabilities(obs_);
    int action = rng_->uniform() < p.data()[0] ? 0 : 1;
    log_probs_.push_back(log(slice(p, 1, action, action + 1)));
    CartPole::Step s = env_->step(action);
    rewards_.push_back(s.reward);
    obs_ = s.obs;
    states_.values.push_back(float(obs_[0]));
    states_.values.push_back(float(obs_[2]));
    ++states_.steps;
    if (s.done) return true;
  }
  return false;
}

// REINFORCE: one Adam step on -sum(log p(action) * normalised return) of the whole episode.
void CartpoleTask::end_episode() {
  in_episode_ = false;
  telemetry_.set(std::move(states_));
  std::vector<float> g = normalised_returns(rewards_, values_->get_float("gamma"));
  const int64_t n = int64_t(g.size());
  Tensor returns = Tensor::from({n, 1}, std::move(g));
  Tensor loss = -sum(cat(log_probs_, 0) * returns);
  const double reward = double(rewards_.size());
  log_probs_.clear();
  opt_->zero_grad();
  loss.backward();
  opt_->step();
  ++episode_;
  running_ = 0.05 * reward + 0.95 * running_;
  telemetry_.add("episode reward", double(episode_), reward);
  telemetry_.add("running reward", double(episode_), running_);
  if (policy_->hidden_spikes.defined()) {
    const Tensor& z = policy_->hidden_spikes;
    Raster r{"policy spikes (last step)", z.size(0), z.size(2), {}};
    for (int64_t i = 0; i < z.numel(); ++i) r.spikes.push_back(z.data()[i] > 0);
    telemetry_.set(std::move(r));
  }
  int64_t total = values_->get_int("episodes");
  telemetry_.progress = done() ? 1.0 : double(episode_) / double(total);
  std::ostringstream o;
  o << "episode " << episode_ << "/" << total << "  reward " << reward << "  running "
    << int(running_);
  telemetry_.status = o.str();
}

void CartpoleTask::step() {
  if (run_episode(values_->get_int("chunk"))) end_episode();
}

bool CartpoleTask::done() const {
  return !values_ || episode_ >= values_->get_int("episodes") ||
         running_ > values_->get_float("reward_threshold");
}

void CartpoleTask::save(const std::string& dir) const {
  save_checkpoint(
      dir, name(), *policy_, *opt_,
      {{"episode", std::to_string(episode_)}, {"running_reward", std::to_string(running_)}});
}

void CartpoleTask::load(const std::string& dir) {
  Checkpoint c = load_checkpoint(dir, name(), *policy_, *opt_);
  episode_ = std::stoll(c.at("episode"));
  in_episode_ = false;
  running_ = std::stod(c.at("running_reward"));
}

std::string CartpoleTask::finish() {
  std::ostringstream o;
  o << "running reward " << running_ << " after " << episode_ << " episodes"
    << (running_ > values_->get_float("reward_threshold") ? " (solved)" : " (not solved)");
  return o.str();
}

}  // namespace soma
