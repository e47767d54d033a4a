#pragma once
// Exponential and adaptive exponential LIF layers (Norse's LIFEx, LIFAdEx, LIFAdExRefrac) over
// (T, B, ...) input currents; see core/neuron/lif_ex.hpp, lif_adex.hpp, lif_adex_refrac.hpp.
// recorded(): "v", "i" (LIFEx); "v", "i", "a" (LIFAdEx); plus "rho" (LIFAdExRefrac).
#include "core/neuron/lif_adex.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_ex.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma::nn {

class LIFEx : public SpikingModule {
 public:
  explicit LIFEx(LIFExParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFExParameters p;
  LIFExState state;
};

class LIFAdEx : public SpikingModule {
 public:
  explicit LIFAdEx(LIFAdExParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFAdExParameters p;
  LIFAdExState state;
};

class LIFAdExRefrac : public SpikingModule {
 public:
  explicit LIFAdExRefrac(LIFAdExRefracParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFAdExRefracParameters p;
  LIFAdExRefracState state;
};

}  // namespace soma::nn
