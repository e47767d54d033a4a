#include "tasks/dsqn/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "tasks/dsqn/conversion.hpp"

namespace soma::dsqn {

int greedy(const std::vector<double>& q) {
  int best = 0;
  for (size_t i = 1; i < q.size(); ++i)
    if (q[i] > q[size_t(best)]) best = int(i);
  return best;
}

double EvalStats::mean() const {
  double s = 0;
  for (double r : rewards) s += r;
  return rewards.empty() ? 0 : s / double(rewards.size());
}

double EvalStats::stddev() const {
  if (rewards.size() < 2) return 0;
  const double m = mean();
  double s = 0;
  for (double r : rewards) s += (r - m) * (r - m);
  return std::sqrt(s / double(rewards.size() - 1));
}

ClosedLoop::ClosedLoop(QFunction tested, QFunction reference, int64_t max_steps, uint64_t env_seed)
    : tested_(std::move(tested)),
      reference_(std::move(reference)),
      env_(env_seed, int(max_steps)) {}

double ClosedLoop::run_episode(
    const std::function<void(const CartPole::Observation&, const std::vector<double>&, int)>&
        on_step) {
  CartPole::Observation s = env_.reset();
  double reward = 0;
  for (;;) {
    std::vector<double> q = tested_(s);
    const int a = greedy(q);
    if (reference_) stats_.agreements += greedy(reference_(s)) == a;
    ++stats_.steps;
    if (on_step) on_step(s, q, a);
    CartPole::Step st = env_.step(a);
    reward += st.reward;
    s = st.obs;
    if (st.done) break;
  }
  stats_.rewards.push_back(reward);
  return reward;
}

double state_agreement(const QFunction& tested, const QFunction& reference,
                       const std::vector<double>& states, int64_t count) {
  const int64_t n = int64_t(states.size() / 4);
  count = std::min(count, n);
  if (count <= 0) throw std::invalid_argument("state_agreement: no states to compare on");
  int64_t same = 0;
  for (int64_t k = 0; k < count; ++k) {
    const size_t i = size_t(k * n / count) * 4;
    const CartPole::Observation s{states[i], states[i + 1], states[i + 2], states[i + 3]};
    same += greedy(tested(s)) == greedy(reference(s));
  }
  return double(same) / double(count);
}

namespace {

std::vector<double> with_bias(const CartPole::Observation& s, bool bias_input) {
  std::vector<double> x(s.begin(), s.end());
  if (bias_input) x.push_back(1.0);
  return x;
}

bool bias_input_of(const NetFile& f) {
  auto it = f.meta.find("bias_input");
  return it != f.meta.end() && it->second == "1";
}

}  // namespace

QFunction make_q_function(const NetFile& f, const RunnerOptions& o,
                          std::shared_ptr<sim::ClockSim>* sim_out) {
  std::string runner = o.runner;
  if (runner == "auto") runner = f.kind() == "converted" ? "sim" : f.kind();
  const bool bias_input = bias_input_of(f);
  if (runner == "ann") {
    if (bias_input)
      throw std::invalid_argument("runner ann: the network takes a bias input (an SQN)");
    sim::DenseNet net = f.net;
    return [net](const CartPole::Observation& s) {
      return ann_forward(net, with_bias(s, false)).back();
    };
  }
  if (runner == "sqn") {
    NetFile g = f;
    if (g.kind() == "converted") {  // a converted ANN as an SQN with per-step biases
      g.meta["kind"] = "sqn";
      g.meta["bias_input"] = "0";
      g.meta["steps"] = "100";
      g.meta["reset"] = o.converted_reset == SqnReset::zero ? "zero" : "subtract";
    } else if (g.kind() != "sqn") {
      throw std::invalid_argument("runner sqn: an ann file has no spiking form (convert it first)");
    }
    if (o.sqn_steps > 0) g.meta["steps"] = std::to_string(o.sqn_steps);
    std::shared_ptr<QNetwork> q = make_qnet(g);
    return [q](const CartPole::Observation& s) {
      NoGrad ng;
      Tensor v = q->q_values(obs_tensor({s}));
      return std::vector<double>(v.data(), v.data() + v.numel());
    };
  }
  if (runner == "sim") {
    auto simulator = std::make_shared<sim::ClockSim>(f.net, o.sim);
    if (sim_out) *sim_out = simulator;
    return [simulator, bias_input](const CartPole::Observation& s) {
      return simulator->forward(with_bias(s, bias_input));
    };
  }
  throw std::invalid_argument("unknown runner '" + runner + "' (known: auto, ann, sqn, sim)");
}

}  // namespace soma::dsqn
