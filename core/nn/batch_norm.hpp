#pragma once
// Batch normalisation over the channels of (N, C, H, W), as torch.nn.BatchNorm2d with
// track_running_stats: training normalises with the batch statistics and updates the running
// ones; eval uses the running ones. The buffers carry torch's names, num_batches_tracked
// included (as a float scalar), so state dicts match torch's key for key.
#include "core/nn/module.hpp"

namespace soma::nn {

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f,
                       bool affine = true);
  Tensor forward(const Tensor& x) override;
  void reset_running_stats();  // mean 0, var 1, count 0

  int64_t num_features() const { return running_mean.numel(); }

  Tensor weight, bias;  // (C) each, initialised to 1 and 0; undefined without affine
  Tensor running_mean, running_var, num_batches_tracked;

 private:
  void count_batch();  // num_batches_tracked += 1, on its device
  float eps_, momentum_;
};

}  // namespace soma::nn
