#include "tasks/cifar10/model.hpp"

#include <stdexcept>

#include "core/nn/pool.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {
namespace {

std::shared_ptr<nn::SpikingConv2d> conv_lif(int64_t in, int64_t out, float v_th, const Surrogate& s,
                                            Rng& rng) {
  LIFParameters p;
  p.surrogate = s;
  p.v_th = v_th;
  return std::make_shared<nn::SpikingConv2d>(in, out, 3, lif_scan_config(p, false, true), rng,
                                             /*stride=*/1, /*padding=*/1);
}

}  // namespace

Cifar10Net::Cifar10Net(int64_t c, float v_th, const Surrogate& s, Rng& rng) {
  conv1_ = register_module("conv1", conv_lif(3, c, v_th, s, rng));
  conv2_ = register_module("conv2", conv_lif(c, 2 * c, v_th, s, rng));
  conv3_ = register_module("conv3", conv_lif(2 * c, 4 * c, v_th, s, rng));
  conv4_ = register_module("conv4", conv_lif(4 * c, 4 * c, v_th, s, rng));
  readout_ = register_module("readout", nn::li_linear(4 * c * 16, 10, rng));
}

Tensor Cifar10Net::forward(const Tensor& x) {
  if (x.dim() != 5 || x.size(2) != 3 || x.size(3) != 32 || x.size(4) != 32)
    throw std::invalid_argument("Cifar10Net: input is not (T, B, 3, 32, 32)");
  const int64_t T = x.size(0), B = x.size(1);
  Tensor z = (*conv1_)(x);
  hidden_spikes = z.detach();
  z = nn::max_pool_sequence((*conv2_)(z), 2);  // (T, B, 2c, 16, 16)
  z = nn::max_pool_sequence((*conv3_)(z), 2);  // (T, B, 4c, 8, 8)
  z = nn::max_pool_sequence((*conv4_)(z), 2);  // (T, B, 4c, 4, 4)
  return (*readout_)(reshape(z, {T, B, z.numel() / (T * B)}));
}

void Cifar10Net::export_nir(nir::Builder& b) const {
  nir::Dims s1{3, 32, 32}, s2;
  std::string n = b.spiking_conv("conv1", *conv1_, b.input(s1), s1, s2);
  n = b.spiking_conv("conv2", *conv2_, n, s2, s1);
  n = b.spiking_conv("conv3", *conv3_, b.max_pool_spikes("pool2", n, s1), s1, s2);
  n = b.spiking_conv("conv4", *conv4_, b.max_pool_spikes("pool3", n, s2), s2, s1);
  n = b.flatten("flatten", b.max_pool_spikes("pool4", n, s1), s1);
  b.output(b.spiking_linear("readout", *readout_, n), {10});
}

void Cifar10Net::import_nir(const nir::Loader& l) {
  l.spiking_conv("conv1", *conv1_);
  l.spiking_conv("conv2", *conv2_);
  l.spiking_conv("conv3", *conv3_);
  l.spiking_conv("conv4", *conv4_);
  l.spiking_linear("readout", *readout_);
}

}  // namespace soma
