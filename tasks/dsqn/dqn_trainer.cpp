#include "tasks/dsqn/dqn_trainer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/ops/ops.hpp"
#include "core/optim/clip.hpp"

namespace soma::dsqn {

int argmax_first(const float* q, int64_t n) {
  int best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (q[i] > q[best]) best = int(i);
  return best;
}

void ReplayMemory::push(const Transition& t) {
  if (size() < capacity_) {
    data_.push_back(t);
  } else {
    data_[size_t(next_)] = t;
  }
  next_ = (next_ + 1) % capacity_;
}

std::vector<const ReplayMemory::Transition*> ReplayMemory::sample(int64_t n, Rng& rng) const {
  std::vector<uint32_t> picked;
  picked.reserve(size_t(n));
  while (int64_t(picked.size()) < n) {
    uint32_t i = rng.below(uint32_t(size()));
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  }
  std::vector<const Transition*> out;
  for (uint32_t i : picked) out.push_back(&data_[i]);
  return out;
}

DqnTrainer::DqnTrainer(std::shared_ptr<QNetwork> policy, const DqnOptions& opt)
    : policy_(std::move(policy)),
      opt_(opt),
      rng_(opt.seed),
      env_(opt.seed + 7, int(opt.max_steps)),
      memory_(opt.replay) {
  target_ = policy_->fresh_copy();
  adam_ =
      std::make_unique<optim::Adam>(policy_->parameters(), optim::AdamOptions{.lr = float(opt.lr)});
}

double DqnTrainer::epsilon() const {
  return std::max(opt_.eps_min, std::pow(opt_.eps_decay, double(steps_done_)));
}

int DqnTrainer::select_action(const CartPole::Observation& s) {
  const double eps = epsilon();
  ++steps_done_;
  if (double(rng_.uniform()) > eps) {
    NoGrad ng;
    Tensor q = policy_->q_values(obs_tensor({s}));
    return argmax_first(q.data(), 2);
  }
  return int(rng_.below(2));
}

void DqnTrainer::optimize() {
  if (memory_.size() < opt_.batch) return;
  auto batch = memory_.sample(opt_.batch, rng_);
  const int64_t B = opt_.batch;
  std::vector<CartPole::Observation> s, next;
  std::vector<float> onehot(size_t(B * 2), 0.0f);
  for (int64_t i = 0; i < B; ++i) {
    s.push_back(batch[size_t(i)]->s);
    next.push_back(batch[size_t(i)]->next);
    onehot[size_t(i * 2 + batch[size_t(i)]->action)] = 1;
  }
  std::vector<float> y(static_cast<size_t>(B));
  {
    NoGrad ng;
    // Double DQN: argmax by the policy net, value by the target net. Terminal rows get r only.
    Tensor qp = policy_->q_values(obs_tensor(next)), qt = target_->q_values(obs_tensor(next));
    for (int64_t i = 0; i < B; ++i) {
      const auto* t = batch[size_t(i)];
      const int a = argmax_first(qp.data() + 2 * i, 2);
      y[size_t(i)] = t->terminal ? t->reward : t->reward + float(opt_.gamma) * qt.data()[2 * i + a];
    }
  }
  Tensor q = sum(policy_->q_values(obs_tensor(s)) * Tensor::from({B, 2}, std::move(onehot)), 1);
  Tensor loss = mse_loss(q, Tensor::from({B}, std::move(y)));
  last_loss_ = loss.item();
  if (!std::isfinite(last_loss_))
    throw std::runtime_error("dqn: the loss is " + std::to_string(last_loss_) + " at episode " +
                             std::to_string(episode_) + ", step " + std::to_string(steps_done_));
  adam_->zero_grad();
  loss.backward();
  optim::clip_grad_value_(policy_->parameters(), 1.0f);
  adam_->step();
}

double DqnTrainer::run_episode() {
  CartPole::Observation s = env_.reset();
  double reward = 0;
  for (int64_t t = 0; t < opt_.max_steps; ++t) {
    const int a = select_action(s);
    CartPole::Step st = env_.step(a);
    reward += st.reward;
    // The time-limit transition is not stored (its "done" is not a real terminal state).
    if (t < opt_.max_steps - 1) memory_.push({s, st.obs, a, float(st.reward), st.done});
    s = st.obs;
    optimize();
    if (st.done) break;
  }
  end_episode(reward);
  return reward;
}

double DqnTrainer::mean_last_100() const {
  const size_t n = std::min<size_t>(rewards_.size(), size_t(opt_.solved_window));
  if (n == 0) return 0;
  double s = 0;
  for (size_t i = rewards_.size() - n; i < rewards_.size(); ++i) s += rewards_[i];
  return s / double(n);
}

void DqnTrainer::end_episode(double reward) {
  // The standard looks at the previous 100 episodes, this one left out.
  const int64_t w = opt_.solved_window;
  if (int64_t(rewards_.size()) >= w) {
    const double prev = mean_last_100();
    streak_ = prev >= opt_.solved_mean ? streak_ + 1 : 0;
    if (prev > best_mean_) {
      best_mean_ = prev;
      best_ = policy_->fresh_copy();
    }
    if (streak_ >= w && solved_at_ < 0) {
      solved_at_ = episode_;
      trained_ = policy_->fresh_copy();
    }
  }
  rewards_.push_back(reward);
  if (episode_ % opt_.target_every == 0) target_->load_state_dict(policy_->state_dict());
  ++episode_;
}

}  // namespace soma::dsqn
