#pragma once
// A mini-batch cut from a Dataset: images (B, C, H, W) and targets (B), the class indices as
// floats, which is what nll_loss and cross_entropy (core/ops/loss.hpp) take.
#include <cstdint>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

struct Batch {
  Tensor images;
  Tensor targets;
  std::vector<int64_t> indices;  // the samples' positions in the dataset
};

// The samples order[begin], ..., order[end - 1] of `data`; with `pinned`, images and targets
// in pinned host memory (Tensor::pin_memory), which the device copies from asynchronously.
Batch make_batch(const Dataset& data, const std::vector<int64_t>& order, int64_t begin, int64_t end,
                 bool pinned = false);

}  // namespace soma
