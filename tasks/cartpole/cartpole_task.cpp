#include "tasks/cartpole/cartpole_task.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/ops/ops.hpp"
#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/framework/progress_bar.hpp"

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
  table_.add_float("gamma", 0.99, "discount factor").range(0, 1);
  // Bounded: the environment counts steps in an int, and an episode's graph grows with its steps.
  table_.add_int("max_episode_steps", 500, "time limit of an episode (CartPole-v1: 500)")
      .range(1, 100000)
      .restart();
  table_.add_float("reward_threshold", 475, "stop when the running reward exceeds this").min(0);
  table_.add_int("chunk", 0, "environment steps per step (0: a whole episode per step)").min(0);
  table_.add_int("checkpoint_every", 10, "episodes between checkpoints (and at the end)").min(1);
  add_seed_param(table_, 1234);
  add_device_param(table_);
  add_surrogate_params(table_);
  add_optimizer_params(table_, {.learning_rate = 1e-3, .lr_step = 100, .unit = "episode"});
}

void CartpoleTask::setup(const ParamValues& v, const RunContext& ctx) {
  keep_values(v);
  ctx_ = ctx;
  const uint64_t seed = uint64_t(v.get_int("seed"));
  rng_ = std::make_unique<Rng>(seed);
  env_ = std::make_unique<CartPole>(seed + 1, int(v.get_int("max_episode_steps")));
  policy_ = make_policy(v.get_string("policy"), surrogate_of(v), *rng_);
  opt_ = make_optimizer(v, policy_->parameters());
  schedule_ = make_schedule(v, v.get_int("episodes"));
  episode_ = 0;
  running_ = 10;
  in_episode_ = false;
  metrics_.clear();
  telemetry_.clear();
  telemetry_.describe(CartpoleKeys::episode_reward,
                      {"episode", "reward (steps balanced)", false, {}, false});
  telemetry_.describe(CartpoleKeys::running_reward,
                      {"episode", "reward", false, CartpoleKeys::episode_reward});
}

bool CartpoleTask::run_episode(int64_t n) {
  if (!in_episode_) {
    obs_ = env_->reset();
    log_probs_.clear();
    rewards_.clear();
    states_ =
        Traces{CartpoleKeys::state,  0, 2, {}, {CartPole::kPositionLabel, CartPole::kAngleLabel},
               CartPole::kStepLabel, {}};
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

// REINFORCE: one optimizer step on -sum(log p(action) * normalised return) of the whole episode.
void CartpoleTask::end_episode() {
  in_episode_ = false;
  telemetry_.set(std::move(states_));
  std::vector<float> g = normalised_returns(rewards_, values_->get_float("gamma"));
  const int64_t n = int64_t(g.size());
  Tensor returns = Tensor::from({n, 1}, std::move(g));
  Tensor loss = -sum(cat(log_probs_, 0) * returns);
  const double reward = double(rewards_.size());
  log_probs_.clear();
  if (schedule_) schedule_->apply(*opt_, episode_);
  opt_->zero_grad();
  loss.backward();
  clip_gradients(values(), *opt_, "episode " + std::to_string(episode_ + 1));
  opt_->step();
  ++episode_;
  running_ = 0.05 * reward + 0.95 * running_;
  telemetry_.add(CartpoleKeys::episode_reward, double(episode_), reward);
  telemetry_.add(CartpoleKeys::running_reward, double(episode_), running_);
  metrics_.add({double(episode_), reward, running_, double(opt_->lr())});
  if (!ctx_.out_dir.empty() && episode_ % values().get_int("checkpoint_every") == 0)
    write_run_files();
  if (policy_->hidden_spikes.defined()) {
    const Tensor& z = policy_->hidden_spikes;
    Raster r{CartpoleKeys::spikes, z.size(0), z.size(2), {}};
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

nir::Graph CartpoleTask::to_nir() const {
  nir::Builder b;
  policy_->export_nir(b);
  b.graph.metadata = {
      {"soma.task", name()},
      {"soma.input", "spikes (40, 1, 8) of the constant-current LIF encoder on relu(+-50 obs)"},
      {"soma.output", "read-out voltages (40, 1, 2); action probabilities: softmax of the max"},
      {"soma.dt", "0.001"}};
  return b.graph;
}

void CartpoleTask::write_run_files() const {
  metrics_.write_csv(ctx_.out_dir + "/metrics.csv");
  save(ctx_.out_dir);
}

// At an episode's end (an episode in progress is not kept: a resume starts the next one).
void CartpoleTask::save(const std::string& dir) const {
  Metadata meta{{"episode", std::to_string(episode_)},
                {"running_reward", exact(running_)},
                {"cartpole.action_rng", rng_->state()},
                {"cartpole.env_rng", env_->rng().state()},
                {"cartpole.dropout_rng", policy_->dropout_rng.state()}};
  write_record(meta, metrics_, telemetry_);
  save_checkpoint(dir, name(), *policy_, *opt_, std::move(meta));
}

void CartpoleTask::load(const std::string& dir) {
  Checkpoint c = read_checkpoint(dir, name());
  const int64_t episode = c.get_int("episode", 0);
  const double running = c.get_double("running_reward");
  const Rng action = c.get_rng("cartpole.action_rng"), env = c.get_rng("cartpole.env_rng"),
            drop = c.get_rng("cartpole.dropout_rng");
  MetricsTable metrics = metrics_;
  Telemetry restored = telemetry_;
  read_record(c, metrics, restored, 4, size_t(episode));
  c.restore(*policy_, *opt_);
  opt_->set_lr(float(values().get_float("learning_rate")));  // flags given on resume win
  episode_ = episode;
  running_ = running;
  *rng_ = action;
  env_->rng() = env;
  policy_->dropout_rng = drop;
  in_episode_ = false;
  metrics_ = std::move(metrics);
  telemetry_ = std::move(restored);
}

std::string CartpoleTask::finish() {
  // The trained policy stays in the run folder (for --resume, export-nir, export-checkpoint).
  if (!ctx_.out_dir.empty()) write_run_files();
  std::ostringstream o;
  o << "running reward " << format_number(running_) << " after " << episode_ << " episodes"
    << (running_ > values().get_float("reward_threshold") ? " (solved)" : " (not solved)");
  return o.str();
}

}  // namespace soma
