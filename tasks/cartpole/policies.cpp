#include "tasks/cartpole/policies.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "core/encode/encoders.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/lsnn_modules.hpp"
#include "core/nn/spiking_layers.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

namespace soma {
namespace {

constexpr int64_t kSteps = 40, kHidden = 128;

// The 8 non-negative encoder currents: relu(+50 obs) and relu(-50 obs).
Tensor split_signs(const CartPole::Observation& obs) {
  std::vector<float> v(8);
  for (int k = 0; k < 4; ++k) {
    float x = 50.0f * float(obs[size_t(k)]);
    v[size_t(k)] = std::max(x, 0.0f);
    v[size_t(k) + 4] = std::max(-x, 0.0f);
  }
  return Tensor::from({1, 8}, std::move(v));
}

// The recurrent layer is LIFRecurrent (snn) or LSNNRecurrent (lsnn).
template <class Recurrent, class Params>
class SpikingPolicy : public Policy {
 public:
  SpikingPolicy(const Params& p, Rng& rng) {
    dropout_rng = rng.split();
    rec_ = register_module("rec", std::make_shared<Recurrent>(8, kHidden, rng, p));
    readout_ = register_module("readout", nn::li_linear(kHidden, 2, rng));
  }

  void export_nir(nir::Builder& b) const override {
    if constexpr (std::is_same_v<Recurrent, nn::LIFRecurrent>) {
      b.output(b.spiking_linear("readout", *readout_, b.lif_recurrent("rec", *rec_, b.input({8}))),
               {2});
    } else {
      nir::Builder::unsupported("rec", "LSNNRecurrent", "NIR has no adaptive-threshold neuron");
    }
  }

  void import_nir(const nir::Loader& l) override {
    if constexpr (std::is_same_v<Recurrent, nn::LIFRecurrent>) {
      l.lif_recurrent("rec", *rec_);
      l.spiking_linear("readout", *readout_);
    } else {
      throw std::runtime_error("--init_from: NIR has no adaptive-threshold (LSNN) neuron");
    }
  }

  Tensor probabilities(const CartPole::Observation& obs) override {
    Tensor z = (*rec_)(constant_current_lif_encode(split_signs(obs), kSteps));  // (T, 1, H)
    hidden_spikes = z.detach();
    Tensor v = (*readout_)(dropout(z, 0.5f, is_training(), dropout_rng));
    return softmax(max_decode(v), 1);
  }

 private:
  std::shared_ptr<Recurrent> rec_;
  std::shared_ptr<nn::SpikingLinear> readout_;
};

class AnnPolicy : public Policy {
 public:
  explicit AnnPolicy(Rng& rng) {
    dropout_rng = rng.split();
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(4, kHidden, rng));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(kHidden, 2, rng));
  }

  void export_nir(nir::Builder&) const override {
    nir::Builder::unsupported("fc1", "Linear + ReLU", "NIR has no ReLU");
  }

  void import_nir(const nir::Loader&) override {
    throw std::runtime_error("--init_from: the ann policy has no NIR equivalent (no ReLU in NIR)");
  }

  Tensor probabilities(const CartPole::Observation& obs) override {
    Tensor x = Tensor::from({1, 4}, {float(obs[0]), float(obs[1]), float(obs[2]), float(obs[3])});
    Tensor h = relu(dropout((*fc1_)(x), 0.6f, is_training(), dropout_rng));
    return softmax((*fc2_)(h), 1);
  }

 private:
  std::shared_ptr<nn::Linear> fc1_, fc2_;
};

}  // namespace

std::shared_ptr<Policy> make_policy(const std::string& kind, const Surrogate& s, Rng& rng) {
  if (kind == "snn") {
    LIFParameters p;
    p.surrogate = s;
    return std::make_shared<SpikingPolicy<nn::LIFRecurrent, LIFParameters>>(p, rng);
  }
  if (kind == "lsnn") {
    LSNNParameters p;
    p.surrogate = s;
    return std::make_shared<SpikingPolicy<nn::LSNNRecurrent, LSNNParameters>>(p, rng);
  }
  if (kind == "ann") return std::make_shared<AnnPolicy>(rng);
  throw std::invalid_argument("cartpole: unknown policy '" + kind + "' (known: snn, lsnn, ann)");
}

}  // namespace soma
