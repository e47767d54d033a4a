#pragma once
// The Q-networks of the DSQN experiments (Hahn's "Deep Spiking Q Networks", CartPole):
//   ann  [4, 16, 16, 2] fully connected, ReLU hidden layers, linear output, biases, PyTorch's
//        default initialisation (the seed's FullyConnected; DQN and ANN classifier)
//   sqn  [4 (+1), 17, 17, 2] SQN (core/neuron/sqn.hpp): alpha 0, beta 1, theta 1, constant input
//        every step, potential read-out at T (20), no biases; a constant 1 appended to the
//        observation with one extra unit per hidden layer stands in for them. Weights from
//        N(0, 1 / sqrt(fan_in)). (DSQN and SNN classifier)
// Both export to a sim::DenseNet (weights (in, out)) for conversion, simulation and files.
#include <map>
#include <memory>
#include <string>

#include "core/neuron/sqn.hpp"
#include "core/nn/linear.hpp"
#include "core/sim/dense_net.hpp"
#include "tasks/cartpole/cartpole_env.hpp"

namespace soma::dsqn {

class QNetwork : public nn::Module {
 public:
  // (B, 4) observations -> (B, 2) Q-values (or class scores).
  virtual Tensor q_values(const Tensor& obs) = 0;
  virtual std::string kind() const = 0;
  virtual sim::DenseNet to_dense() const = 0;
  virtual std::shared_ptr<QNetwork> fresh_copy() const = 0;  // same architecture and weights
  Tensors hidden_spikes;  // sqn: each hidden layer's (T, B, n) spikes of the last call
};

class AnnQNet : public QNetwork {
 public:
  explicit AnnQNet(Rng& rng, int64_t hidden = 16);
  Tensor q_values(const Tensor& obs) override;
  std::string kind() const override { return "ann"; }
  sim::DenseNet to_dense() const override;
  std::shared_ptr<QNetwork> fresh_copy() const override;

 private:
  int64_t hidden_;
  std::shared_ptr<nn::Linear> fc_[3];
};

class SqnQNet : public QNetwork {
 public:
  // hidden 17 with bias_input (5 inputs), as the seed; weights (in, out).
  SqnQNet(Rng& rng, const SqnOptions& opt, bool bias_input = true, int64_t hidden = 17,
          bool biases = false);
  Tensor q_values(const Tensor& obs) override;
  std::string kind() const override { return "sqn"; }
  sim::DenseNet to_dense() const override;
  std::shared_ptr<QNetwork> fresh_copy() const override;
  const SqnOptions& options() const { return opt_; }
  bool bias_input() const { return bias_input_; }
  bool record_spikes = false;  // keep hidden_spikes of each call

 private:
  SqnOptions opt_;
  bool bias_input_, biases_;
  int64_t hidden_;
  Tensors w_, b_;
};

// Observations as a (B, 4) tensor.
Tensor obs_tensor(const std::vector<CartPole::Observation>& obs);

// A network file: DenseNet weights ("w0", "b0", ... as (in, out) and (out)) plus metadata
// "kind" (ann | sqn | converted), and for sqn "steps", "reset", "bias_input".
struct NetFile {
  sim::DenseNet net;
  std::map<std::string, std::string> meta;
  std::string kind() const;
};
void save_net(const std::string& path, const QNetwork& q,
              std::map<std::string, std::string> extra = {});
void save_net(const std::string& path, const NetFile& f);
NetFile load_net(const std::string& path);
// Rebuilds a trainable network from a file of kind ann or sqn (throws for others).
std::shared_ptr<QNetwork> make_qnet(const NetFile& f);

}  // namespace soma::dsqn
