#include "tasks/mnist/models.hpp"

#include "core/neuron/lif_learnable.hpp"
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
  // conv1 -> LIF -> pool as one fused layer (constant_current_pool.hpp for an image current):
  // training skips writing conv1's unpooled spikes (T, B, 32, 24, 24), 38 MB per batch.
  Tensor full;
  Tensor z = conv1_->forward_pooled(spikes, 2, is_training() ? nullptr : &full);  // 32x12x12
  hidden_spikes = full.defined() ? full : z.detach();
  z = nn::max_pool_sequence((*conv2_)(z), 2);  // (T, B, 64, 4, 4)
  return (*readout_)((*fc1_)(reshape(z, {T, B, 1024})));
}

void ConvNet4::export_nir(nir::Builder& b) const {
  nir::Dims s1, s2;
  std::string n = b.spiking_conv("conv1", *conv1_, b.input({1, 28, 28}), {1, 28, 28}, s1);
  n = b.max_pool_spikes("pool1", n, s1);
  n = b.spiking_conv("conv2", *conv2_, n, s1, s2);
  n = b.flatten("flatten", b.max_pool_spikes("pool2", n, s2), s2);
  b.output(b.spiking_linear("readout", *readout_, b.spiking_linear("fc1", *fc1_, n)), {10});
}

void ConvNet4::import_nir(const nir::Loader& l) {
  l.spiking_conv("conv1", *conv1_);
  l.spiking_conv("conv2", *conv2_);
  l.spiking_linear("fc1", *fc1_);
  l.spiking_linear("readout", *readout_);
}

RecurrentNet::RecurrentNet(int64_t hidden, float v_th, const Surrogate& s, Rng& rng,
                           bool learn_neuron_params) {
  LIFParameters p;
  p.surrogate = s;
  p.v_th = v_th;
  rec_ = register_module(
      "rec", learn_neuron_params ? std::make_shared<nn::LIFRecurrentLearnable>(784, hidden, rng, p)
                                 : std::make_shared<nn::LIFRecurrent>(784, hidden, rng, p));
  readout_ = register_module("readout", nn::li_linear(hidden, 10, rng));
}

Tensor RecurrentNet::forward(const Tensor& spikes) {
  const int64_t T = spikes.size(0), B = spikes.size(1);
  Tensor z = (*rec_)(reshape(spikes, {T, B, 784}));
  hidden_spikes = z.detach();
  return (*readout_)(z);
}

}  // namespace soma

namespace soma {

void RecurrentNet::export_nir(nir::Builder& b) const {
  std::string n = b.flatten("flatten", b.input({1, 28, 28}), {1, 28, 28});
  b.output(b.spiking_linear("readout", *readout_, b.lif_recurrent("rec", *rec_, n)), {10});
}

void RecurrentNet::import_nir(const nir::Loader& l) {
  l.lif_recurrent("rec", *rec_);
  l.spiking_linear("readout", *readout_);
}

}  // namespace soma
