#include "tasks/dsqn/classifier.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/io/safetensors.hpp"
#include "core/ops/ops.hpp"

namespace soma::dsqn {

ReplayCollector::ReplayCollector(QFunction dqn, int64_t capacity, int64_t max_steps,
                                 uint64_t env_seed)
    : loop_(std::move(dqn), {}, max_steps, env_seed), capacity_(capacity) {}

void ReplayCollector::run_episode() {
  loop_.run_episode([this](const CartPole::Observation& s, const std::vector<double>& q, int) {
    std::vector<double> x(s.begin(), s.end());
    if (int64_t(states_.size()) < capacity_) {
      states_.push_back(std::move(x));
      q_.push_back(q);
    } else {
      states_[size_t(next_)] = std::move(x);
      q_[size_t(next_)] = q;
    }
    next_ = (next_ + 1) % capacity_;
  });
  ++episodes_;
  done_ = int64_t(states_.size()) == capacity_;
}

ReplaySet ReplayCollector::result() const {
  ReplaySet r;
  r.n = int64_t(states_.size());
  const size_t start = r.n == capacity_ ? size_t(next_) : 0;
  for (size_t k = 0; k < states_.size(); ++k) {
    const size_t i = (start + k) % states_.size();
    r.states.insert(r.states.end(), states_[i].begin(), states_[i].end());
    r.q.insert(r.q.end(), q_[i].begin(), q_[i].end());
  }
  return r;
}

void save_replay(const std::string& path, const ReplaySet& r) {
  save_safetensors(
      path,
      {{"inputs", Tensor::from({r.n, 4}, std::vector<float>(r.states.begin(), r.states.end()))},
       {"outputs", Tensor::from({r.n, 2}, std::vector<float>(r.q.begin(), r.q.end()))}},
      {{"kind", "dsqn replay set"}});
}

ReplaySet load_replay(const std::string& path) {
  SafetensorsData d = load_safetensors(path);
  auto in = d.tensors.find("inputs"), out = d.tensors.find("outputs");
  if (in == d.tensors.end() || out == d.tensors.end())
    throw std::runtime_error(path + ": a replay set holds 'inputs' (N, 4) and 'outputs' (N, 2)");
  const Tensor &x = in->second, &q = out->second;
  if (x.dim() != 2 || x.size(1) != 4 || q.dim() != 2 || q.size(1) != 2 || q.size(0) != x.size(0))
    throw std::runtime_error(path + ": inputs must be (N, 4) and outputs (N, 2)");
  ReplaySet r;
  r.n = x.size(0);
  r.states.assign(x.data(), x.data() + x.numel());
  r.q.assign(q.data(), q.data() + q.numel());
  return r;
}

ClassifierTrainer::ClassifierTrainer(std::shared_ptr<QNetwork> net, const ReplaySet& data,
                                     const ClassifierOptions& o)
    : net_(std::move(net)), data_(data), opt_(o), rng_(o.seed) {
  if (data.n < o.batch) throw std::invalid_argument("classifier: fewer states than one batch");
  adam_ = std::make_unique<optim::Adam>(net_->parameters(), optim::AdamOptions{.lr = float(o.lr)});
  for (int64_t i = 0; i < data.n; ++i) order_.push_back(i);
  rng_.shuffle(order_);
}

double ClassifierTrainer::train(int64_t n) {
  double sum = 0;
  int64_t k = 0;
  for (; k < n && !done(); ++k, ++iteration_) {
    if (cursor_ + size_t(opt_.batch) > order_.size()) {
      rng_.shuffle(order_);
      cursor_ = 0;
    }
    std::vector<CartPole::Observation> x;
    std::vector<float> y;
    for (int64_t b = 0; b < opt_.batch; ++b) {
      const int64_t i = order_[cursor_++];
      x.push_back({data_.states[size_t(4 * i)], data_.states[size_t(4 * i + 1)],
                   data_.states[size_t(4 * i + 2)], data_.states[size_t(4 * i + 3)]});
      y.push_back(float(data_.label(i)));
    }
    Tensor loss =
        cross_entropy(net_->q_values(obs_tensor(x)), Tensor::from({opt_.batch}, std::move(y)));
    const double l = loss.item();
    if (!std::isfinite(l))
      throw std::runtime_error("classifier: the loss is " + std::to_string(l) + " at iteration " +
                               std::to_string(iteration_));
    adam_->zero_grad();
    loss.backward();
    adam_->step();
    sum += l;
  }
  return k ? sum / double(k) : 0;
}

double ClassifierTrainer::accuracy() {
  NoGrad ng;
  int64_t correct = 0;
  for (int64_t start = 0; start < data_.n; start += 1000) {
    std::vector<CartPole::Observation> x;
    const int64_t end = std::min(data_.n, start + 1000);
    for (int64_t i = start; i < end; ++i)
      x.push_back({data_.states[size_t(4 * i)], data_.states[size_t(4 * i + 1)],
                   data_.states[size_t(4 * i + 2)], data_.states[size_t(4 * i + 3)]});
    Tensor q = net_->q_values(obs_tensor(x));
    for (int64_t i = start; i < end; ++i)
      correct +=
          (q.data()[2 * (i - start) + 1] > q.data()[2 * (i - start)] ? 1 : 0) == data_.label(i);
  }
  return double(correct) / double(data_.n);
}

}  // namespace soma::dsqn
