#pragma once
// Closed-loop evaluation on cart-pole as the DSQN seed reports it (load_agent): greedy actions
// (argmax, ties to index 0), episodes of at most 500 steps, 100 episodes, rewards as mean +-
// sample std, and the "similarity (conversion accuracy)": on every step the reference network
// sees the same state, and the share of steps where both argmax actions agree is the agreement.
// So the step count behind the agreement equals the total reward (29 990 = 100 x 299.9).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/sim/clock_sim.hpp"
#include "tasks/cartpole/cartpole_env.hpp"
#include "tasks/dsqn/qnet.hpp"

namespace soma::dsqn {

using QFunction = std::function<std::vector<double>(const CartPole::Observation&)>;

int greedy(const std::vector<double>& q);  // argmax, ties to index 0

struct EvalStats {
  std::vector<double> rewards;
  int64_t steps = 0, agreements = 0;
  double mean() const;
  double stddev() const;  // sample std (n - 1)
  double agreement() const { return steps ? double(agreements) / double(steps) : 0; }
};

class ClosedLoop {
 public:
  // `reference` may be empty (no agreement counted).
  ClosedLoop(QFunction tested, QFunction reference, int64_t max_steps, uint64_t env_seed);
  // One episode; `on_step` (if set) sees each state, the tested Q-values and the action.
  double run_episode(const std::function<void(const CartPole::Observation&,
                                              const std::vector<double>&, int)>& on_step = {});
  const EvalStats& stats() const { return stats_; }

 private:
  QFunction tested_, reference_;
  CartPole env_;
  EvalStats stats_;
};

// Open-loop agreement on stored states: the share of `count` states, spread evenly through the
// n x 4 row-major `states`, on which tested and reference pick the same greedy action. No
// environment is stepped, so it is cheap; the convert stage uses it on replay states to check
// a conversion (and to choose between candidate classifiers) before any closed-loop run.
double state_agreement(const QFunction& tested, const QFunction& reference,
                       const std::vector<double>& states, int64_t count);

// How to run a network file as a policy.
struct RunnerOptions {
  std::string runner = "auto";  // auto | ann | sqn | sim
  sim::ClockSimOptions sim;
  int64_t sqn_steps = 0;  // > 0: override the SQN's T (converted nets as SQN: default 100)
  SqnReset converted_reset = SqnReset::subtract;
};

// auto: ann files run as the ANN, sqn files as the SQN, converted files in the simulator.
// With sim, the file's bias_input adds the constant 1 as one more dc input. `sim_out` (if set)
// receives the simulator, to read spike counts from.
QFunction make_q_function(const NetFile& f, const RunnerOptions& o,
                          std::shared_ptr<sim::ClockSim>* sim_out = nullptr);

}  // namespace soma::dsqn
