#pragma once
// Fully connected layer: y = x W^T + b over the last dimension of x, as torch.nn.Linear.
#include "core/nn/module.hpp"

namespace soma {
class Rng;
}

namespace soma::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias, Rng& rng);
  Linear(int64_t in_features, int64_t out_features, Rng& rng)
      : Linear(in_features, out_features, true, rng) {}

  Tensor forward(const Tensor& x) override;
  // torch's default: W and b from U(-1/sqrt(in), 1/sqrt(in)), W drawn first.
  void reset_parameters(Rng& rng);

  int64_t in_features() const { return weight.size(1); }
  int64_t out_features() const { return weight.size(0); }

  Tensor weight;  // (out, in)
  Tensor bias;    // (out), undefined without bias
};

}  // namespace soma::nn
