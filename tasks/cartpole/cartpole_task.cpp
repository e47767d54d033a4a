#include "tasks/cartpole/cartpole_task.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/io/safetensors.hpp"
#include "core/ops/ops.hpp"
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
  table_.add_int("max_episode_steps", 500, "time limit of an episode (CartPole-v1: 500)")
      .min(1)
      .restart();
  table_.add_float("reward_threshold", 475, "stop when the running reward exceeds this").min(0);
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
  telemetry_.clear();
}

double CartpoleTask::run_episode(Tensor& loss) {
  CartPole::Observation obs = env_->reset();
  std::vector<Tensor> log_probs;
  std::vector<double> rewards;
  Traces states{"cart position and pole angle (last episode)", 0, 2, {}};
  policy_->train();
  for (bool done = false; !done;) {
    Tensor p = policy_->probabilities(obs);
    int action = rng_->uniform() < p.data()[0] ? 0 : 1;
    log_probs.push_back(log(slice(p, 1, action, action + 1)));
    CartPole::Step s = env_->step(action);
    rewards.push_back(s.reward);
    obs = s.obs;
    done = s.done;
    states.values.push_back(float(obs[0]));
    states.values.push_back(float(obs[2]));
    ++states.steps;
  }
  telemetry_.set(std::move(states));
  std::vector<float> g = normalised_returns(rewards, values_->get_float("gamma"));
  const int64_t n = int64_t(g.size());
  Tensor returns = Tensor::from({n, 1}, std::move(g));
  loss = -sum(cat(log_probs, 0) * returns);
  return double(rewards.size());
}

void CartpoleTask::step() {
  Tensor loss;
  double reward = run_episode(loss);
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

bool CartpoleTask::done() const {
  return !values_ || episode_ >= values_->get_int("episodes") ||
         running_ > values_->get_float("reward_threshold");
}

void CartpoleTask::save(const std::string& dir) const {
  std::map<std::string, Tensor> t;
  for (const auto& [k, v] : policy_->state_dict()) t["model." + k] = v;
  for (const auto& [k, v] : opt_->state_dict()) t["optim." + k] = v;
  std::filesystem::create_directories(dir);
  save_safetensors(dir + "/checkpoint.safetensors", t,
                   {{"task", name()},
                    {"episode", std::to_string(episode_)},
                    {"running_reward", std::to_string(running_)}});
}

void CartpoleTask::load(const std::string& dir) {
  SafetensorsData d = load_safetensors(dir + "/checkpoint.safetensors");
  nn::StateDict model;
  optim::StateDict opt;
  for (const auto& [k, v] : d.tensors) {
    if (k.rfind("model.", 0) == 0) model[k.substr(6)] = v;
    if (k.rfind("optim.", 0) == 0) opt[k.substr(6)] = v;
  }
  policy_->load_state_dict(model);
  opt_->load_state_dict(opt);
  episode_ = std::stoll(d.metadata.at("episode"));
  running_ = std::stod(d.metadata.at("running_reward"));
}

std::string CartpoleTask::finish() {
  std::ostringstream o;
  o << "running reward " << running_ << " after " << episode_ << " episodes"
    << (running_ > values_->get_float("reward_threshold") ? " (solved)" : " (not solved)");
  return o.str();
}

}  // namespace soma
