#include "tasks/mnist/models.hpp"

#include "core/nn/pool.hpp"
#include "core/ops/ops.hpp"

namespace soma {
namespace {

CurrentScanConfig lif(const Surrogate& s, float v_th) {
  LIFParameters p;
  p.surrogate = s;
  p.v_th = v_th;
  return lif_scan_config(p, false, true);
}

}  // namespace

ConvNet4::ConvNet4(const Surrogate& s, Rng& rng) {
  conv1_ =
      register_module("conv1", std::make_shared<nn::SpikingConv2d>(1, 32, 5, lif(s, 0.7f), rng));
  conv2_ =
      register_module("conv2", std::make_shared<nn::SpikingConv2d>(32, 64, 5, lif(s, 0.7f), rng));
  // Norse scales the second convolution by 10 so that its sparse input still drives spikes.
  conv2_->gain = 10;
  fc1_ = register_module("fc1",
                         std::make_shared<nn::SpikingLinear>(1024, 1024, lif(s, 1.0f), true, rng));
  readout_ = register_module("readout", nn::li_linear(1024, 10, rng));
}

Tensor ConvNet4::forward(const Tensor& spikes) {
  const int64_t T = spikes.size(0), B = spikes.size(1);
  Tensor z = (*conv1_)(spikes);  // (T, B, 32, 24, 24)
  hidden_spikes = z.detach();
  z = nn::max_pool_sequence((*conv2_)(nn::max_pool_sequence(z, 2)), 2);  // (T, B, 64, 4, 4)
  return (*readout_)((*fc1_)(reshape(z, {T, B, 1024})));
}

RecurrentNet::RecurrentNet(int64_t hidden, float v_th, const Surrogate& s, Rng& rng) {
  LIFParameters p;
  p.surrogate = s;
  p.v_th = v_th;
  rec_ = register_module("rec", std::make_shared<nn::LIFRecurrent>(784, hidden, rng, p));
  readout_ = register_module("readout", nn::li_linear(hidden, 10, rng));
}

Tensor RecurrentNet::forward(const Tensor& spikes) {
  const int64_t T = spikes.size(0), B = spikes.size(1);
  Tensor z = (*rec_)(reshape(spikes, {T, B, 784}));
  hidden_spikes = z.detach();
  return (*readout_)(z);
}

}  // namespace soma
