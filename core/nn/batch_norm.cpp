#include "core/nn/batch_norm.hpp"

#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/norm.hpp"

namespace soma::nn {

BatchNorm2d::BatchNorm2d(int64_t num_features, float eps, float momentum, bool affine)
    : eps_(eps), momentum_(momentum) {
  if (num_features <= 0) throw std::invalid_argument("BatchNorm2d: num_features must be positive");
  if (affine) {
    weight = register_parameter("weight", Tensor::ones({num_features}));
    bias = register_parameter("bias", Tensor::zeros({num_features}));
  }
  running_mean = register_buffer("running_mean", Tensor::zeros({num_features}));
  running_var = register_buffer("running_var", Tensor::ones({num_features}));
  num_batches_tracked = register_buffer("num_batches_tracked", Tensor::scalar(0));
}

void BatchNorm2d::reset_running_stats() {
  running_mean.fill_(0);
  running_var.fill_(1);
  num_batches_tracked.fill_(0);
}

void BatchNorm2d::count_batch() {
  if (num_batches_tracked.device() == Device::cpu) {
    num_batches_tracked.data()[0] += 1;
    return;
  }
  // On the device, added there: reading the count to the host would wait for the stream.
  NoGrad no_grad;
  num_batches_tracked.copy_(num_batches_tracked + 1.0f);
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  if (x.dim() != 4 || x.size(1) != num_features())
    throw std::invalid_argument("BatchNorm2d(" + std::to_string(num_features()) +
                                "): expected (N, C, H, W) input, got " + to_string(x.shape()));
  if (is_training()) count_batch();
  return batch_norm(x, running_mean, running_var, weight, bias, is_training(), momentum_, eps_);
}

}  // namespace soma::nn
