#pragma once
// Classification accuracy counts for the tasks' logs: Norse's tasks report top-1 (and cifar10
// top-5) accuracy.
#include <cstdint>

#include "core/tensor/tensor.hpp"

namespace soma {

// How many samples have their target among the k highest scores, ties going to the lower class
// index as argmax breaks them (so a network whose scores are all equal is not "correct"): fewer
// than k classes score higher, or equal with a lower index. k = 1 is argmax == target.
// scores (B, C), targets (B) class indices as floats.
int64_t count_top_k(const Tensor& scores, const Tensor& targets, int k = 1);

}  // namespace soma
