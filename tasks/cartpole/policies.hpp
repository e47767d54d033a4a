#pragma once
// Cart-pole policies (Norse's cartpole task): observation -> action probabilities (1, 2).
//   snn   obs * 50 split into relu(+) and relu(-) (8 channels) -> constant-current LIF encoder
//         (40 steps) -> recurrent LIF 8->128 -> dropout 0.5 -> Linear 128->2 -> LI; softmax of the
//         voltage's maximum over time
//   lsnn  the same with an adaptive (LSNN) recurrent layer
//   ann   4 -> 128 (dropout 0.6, ReLU) -> 2, softmax (PyTorch's REINFORCE example)
#include <memory>
#include <string>

#include "core/neuron/surrogate.hpp"
#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nn/linear.hpp"
#include "core/random/rng.hpp"
#include "tasks/cartpole/cartpole_env.hpp"

namespace soma {

class Policy : public nn::Module {
 public:
  virtual Tensor probabilities(const CartPole::Observation& obs) = 0;
  Tensor hidden_spikes;  // (T, 1, H) of the last call, for rasters; undefined for the ANN
  Rng dropout_rng;       // the dropout masks' stream (a checkpoint keeps its state)
  // The network after the encoder as a NIR graph: encoder spikes (8) per step -> read-out
  // voltages (2). Only the snn policy has one (no LSNN or ReLU in NIR).
  virtual void export_nir(nir::Builder& b) const = 0;
  virtual void import_nir(const nir::Loader& l) = 0;
};

std::shared_ptr<Policy> make_policy(const std::string& kind, const Surrogate& s, Rng& rng);

}  // namespace soma
