#pragma once
// What Lightning prints before it trains (its ModelSummary): one row per top-level layer with
// its type and parameter count, then the totals and the parameters' size in MB (float32):
//
//     | Name  | Type       | Params
//   ---------------------------------
//   0 | conv1 | Conv2d     | 832
//   1 | lif1  | LIFCell    | 0
//   ---------------------------------
//   832       Trainable params
//   0         Non-trainable params (buffers)
//   0.003     Total estimated model params size (MB)
//
// Counts of 1,000 and more print as Lightning's do: "1.2 K", "3.4 M", "1.1 B".
#include <string>

#include "core/nn/module.hpp"

namespace soma::nn {

std::string model_summary(const Module& m);
// A module's class name without its namespaces ("Conv2d" for soma::nn::Conv2d).
std::string type_name(const Module& m);
// Lightning's short count: 832, "1.2 K", "3.4 M".
std::string short_count(int64_t n);

}  // namespace soma::nn
