#pragma once
// Softmax family and losses. Class targets are integer-valued float tensors of shape (N).
#include "core/tensor/tensor.hpp"

namespace soma {

enum class Reduction { mean, sum, none };

Tensor softmax(const Tensor& x, int dim = -1);
Tensor log_softmax(const Tensor& x, int dim = -1);
// input (N, C) log-probabilities, target (N) class indices.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r = Reduction::mean);
// input (N, C) logits; label smoothing as torch: (1 - s) * one_hot + s / C.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, float label_smoothing = 0,
                     Reduction r = Reduction::mean);
// cross_entropy from log_softmax's output: (1 - s) nll_loss + s times the mean of -log p over
// the classes, through ops that run on either device (cross_entropy's CUDA path).
Tensor label_smoothed_nll_loss(const Tensor& log_probs, const Tensor& target, float smoothing,
                               Reduction r = Reduction::mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::mean);
// input are probabilities in (0, 1); log clamped at -100 as torch.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            Reduction r = Reduction::mean);

}  // namespace soma
