#pragma once
// The replay set and the classifiers trained on it (the seed's load_agent(save_replay=True) and
// train_classifier):
//   replay set  the trained DQN drives cart-pole greedily (eps 0, 500-step cap) into a circular
//               memory of 20 000 states and their Q-values; after the first episode that ends
//               with the memory full, the set is complete. Labels are argmax Q.
//   classifier  cross-entropy (NLL of log-softmax) on (state, label), Adam 1e-4, batches of 50
//               drawn without replacement (a shuffled pass, then the next), 200 000 iterations;
//               an ANN [4, 16, 16, 2] or an SQN [4 + 1, 17, 17, 2], T 20, subtraction reset.
#include <memory>
#include <string>
#include <vector>

#include "core/optim/adam.hpp"
#include "tasks/dsqn/evaluate.hpp"

namespace soma::dsqn {

struct ReplaySet {
  int64_t n = 0;
  std::vector<double> states;  // n x 4
  std::vector<double> q;       // n x 2
  int label(int64_t i) const { return q[size_t(2 * i + 1)] > q[size_t(2 * i)] ? 1 : 0; }
};

class ReplayCollector {
 public:
  ReplayCollector(QFunction dqn, int64_t capacity, int64_t max_steps, uint64_t env_seed);
  void run_episode();  // one greedy episode into the memory
  bool done() const { return done_; }
  int64_t episodes() const { return episodes_; }
  ReplaySet result() const;  // oldest first

 private:
  ClosedLoop loop_;
  int64_t capacity_, next_ = 0, episodes_ = 0;
  bool done_ = false;
  std::vector<std::vector<double>> states_, q_;
};

void save_replay(const std::string& path, const ReplaySet& r);
ReplaySet load_replay(const std::string& path);

struct ClassifierOptions {
  int64_t iterations = 200000, batch = 50;
  double lr = 1e-4;
  uint64_t seed = 1;
};

class ClassifierTrainer {
 public:
  ClassifierTrainer(std::shared_ptr<QNetwork> net, const ReplaySet& data,
                    const ClassifierOptions& o);
  // Up to `n` iterations; returns the mean loss over them.
  double train(int64_t n);
  bool done() const { return iteration_ >= opt_.iterations; }
  int64_t iteration() const { return iteration_; }
  double accuracy();  // on the whole replay set
  QNetwork& net() { return *net_; }

 private:
  std::shared_ptr<QNetwork> net_;
  const ReplaySet& data_;
  ClassifierOptions opt_;
  Rng rng_;
  std::unique_ptr<optim::Adam> adam_;
  std::vector<int64_t> order_;
  size_t cursor_ = 0;
  int64_t iteration_ = 0;
};

}  // namespace soma::dsqn
