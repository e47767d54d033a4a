#pragma once
#include "core/tensor/tensor.hpp"

namespace soma {

class Rng;

// Batch norm over (N, C, ...) per channel. In training, normalises with the batch statistics
// and updates running_mean / running_var in place (unbiased variance, as torch); in eval, uses
// them. weight/bias (C) may be undefined (no affine).
Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum = 0.1f, float eps = 1e-5f);

// Inverted dropout: zeroes with probability p and scales the rest by 1 / (1 - p) in training.
Tensor dropout(const Tensor& x, float p, bool training, Rng& rng);

}  // namespace soma
