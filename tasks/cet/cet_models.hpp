#pragma once
// The CET networks (cet.md section 7), every weight layer a delayed-credit layer
// (core/credit/delayed_credit.hpp) with its own CreditRule:
//   MLP: 784 -> 512 ReLU -> 512 ReLU -> 10 (w1, w2, w3), ~670k parameters; Xavier-uniform
//        weights and (1 x out) biases as the reference.
//   CNN: [conv3x3 pad 1 -> ReLU -> AvgPool2 -> BatchNorm2d (no affine) -> dropout] x 3 with
//        32/64/128 channels (c1, c2, c3), then features -> 512 ReLU -> 10 (w1, w2); 2048
//        features on 32x32 CIFAR-10, 1152 on 28x28 (Fashion-)MNIST.
// retrograde = true: the read-out learns from the exact gradient with torch's default Linear
// init, as the reference's nn.Linear read-out.
#include <memory>
#include <string>
#include <vector>

#include "core/credit/delayed_credit.hpp"
#include "core/nn/module.hpp"
#include "core/random/rng.hpp"

namespace soma {

class CetNet : public nn::Module {
 public:
  // Input to output; the read-out is last.
  std::vector<std::string> layer_names;
  std::vector<std::shared_ptr<credit::CreditRule>> rules;
  // The layers whose gradient is delayed (the read-out too, except in the retrograde protocol).
  int64_t delayed_layers() const { return int64_t(rules.size()) - (exact_readout_ ? 1 : 0); }

 protected:
  bool exact_readout_ = false;
};

std::shared_ptr<CetNet> make_cet_mlp(int64_t inputs, int64_t hidden, int64_t classes,
                                     bool retrograde, Rng& rng);
std::shared_ptr<CetNet> make_cet_cnn(int64_t channels, int64_t height, int64_t width,
                                     int64_t hidden, int64_t classes, float p_drop, bool retrograde,
                                     Rng& rng);

}  // namespace soma
