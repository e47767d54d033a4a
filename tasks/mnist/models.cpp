#include "tasks/mnist/models.hpp"

#include "core/ops/ops.hpp"

namespace soma {
namespace {

// (T, B, ...) -> (T * B, ...) and back: conv and pooling layers see T * B images at once.
Tensor fold_time(const Tensor& x) {
  Shape s(x.shape().begin() + 1, x.shape().end());
  s[0] = x.size(0) * x.size(1);
  return reshape(x, s);
}

Tensor unfold_time(const Tensor& x, int64_t steps) {
  Shape s{steps, x.size(0) / steps};
  s.insert(s.end(), x.shape().begin() + 1, x.shape().end());
  return reshape(x, s);
}

LIFParameters lif_params(const Surrogate& s, float v_th) {
  LIFParameters p;
  p.surrogate = s;
  p.v_th = v_th;
  return p;
}

}  // namespace

ConvNet4::ConvNet4(const Surrogate& s, Rng& rng) {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(1, 32, 5, rng));
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(32, 64, 5, rng));
  fc1_ = register_module("fc1", std::make_shared<nn::Linear>(1024, 1024, rng));
  out_ = register_module("out", std::make_shared<nn::Linear>(1024, 10, false, rng));
  lif1_ = register_module("lif1", std::make_shared<nn::LIF>(lif_params(s, 0.7f)));
  lif2_ = register_module("lif2", std::make_shared<nn::LIF>(lif_params(s, 0.7f)));
  lif3_ = register_module("lif3", std::make_shared<nn::LIF>(lif_params(s, 1.0f)));
  readout_ = register_module("readout", std::make_shared<nn::LI>());
}

Tensor ConvNet4::forward(const Tensor& spikes) {
  const int64_t T = spikes.size(0);
  Tensor z = (*lif1_)(unfold_time((*conv1_)(fold_time(spikes)), T));
  hidden_spikes = z.detach();
  z = max_pool2d(fold_time(z), 2);
  // Norse scales the second convolution by 10 so that its sparse input still drives spikes.
  z = (*lif2_)(unfold_time((*conv2_)(z)*10.0f, T));
  z = flatten(max_pool2d(fold_time(z), 2), 1);  // (T * B, 1024)
  z = (*lif3_)(unfold_time((*fc1_)(z), T));
  return (*readout_)((*out_)(z));
}

RecurrentNet::RecurrentNet(int64_t hidden, const Surrogate& s, Rng& rng) {
  rec_ = register_module("rec",
                         std::make_shared<nn::LIFRecurrent>(784, hidden, rng, lif_params(s, 1.0f)));
  out_ = register_module("out", std::make_shared<nn::Linear>(hidden, 10, false, rng));
  readout_ = register_module("readout", std::make_shared<nn::LI>());
}

Tensor RecurrentNet::forward(const Tensor& spikes) {
  const int64_t T = spikes.size(0), B = spikes.size(1);
  Tensor z = (*rec_)(reshape(spikes, {T, B, 784}));
  hidden_spikes = z.detach();
  return (*readout_)((*out_)(z));
}

}  // namespace soma
