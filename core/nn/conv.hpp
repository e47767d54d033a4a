#pragma once
// 2-D convolution over (N, C, H, W) with a square kernel, as torch.nn.Conv2d.
#include "core/nn/module.hpp"
#include "core/ops/conv.hpp"

namespace soma {
class Rng;
}

namespace soma::nn {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding, bool bias,
         Rng& rng);
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel, Rng& rng)
      : Conv2d(in_channels, out_channels, kernel, 1, 0, true, rng) {}

  Tensor forward(const Tensor& x) override;
  // torch's default: W and b from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in * k * k.
  void reset_parameters(Rng& rng);

  const Conv2dOptions& options() const { return opt_; }

  Tensor weight;  // (out, in, k, k)
  Tensor bias;    // (out), undefined without bias

 private:
  Conv2dOptions opt_;
};

}  // namespace soma::nn
