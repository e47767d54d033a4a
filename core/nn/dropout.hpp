#pragma once
// Inverted dropout, as torch.nn.Dropout: active in training, the identity in eval.
//
// The module owns its generator, split from the Rng given at construction: a layer can never
// outlive the generator it draws from, and the masks are still fixed by the parent's seed.
// Reseed through rng() (e.g. when restoring a run).
#include "core/nn/module.hpp"
#include "core/random/rng.hpp"

namespace soma::nn {

class Dropout : public Module {
 public:
  Dropout(float p, Rng& rng);
  Tensor forward(const Tensor& x) override;

  float p() const { return p_; }
  Rng& rng() { return rng_; }

 private:
  float p_;
  Rng rng_;
};

}  // namespace soma::nn
