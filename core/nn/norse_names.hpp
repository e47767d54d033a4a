#pragma once
// A model's tensors under the state_dict keys of the Norse modules its layers correspond to, so
// that `model.load_state_dict(safetensors.torch.load_file(path))` works in Python:
// clang-format off
//   SpikingLinear into LI, no bias (Norse's LILinearCell)   <m>.input_weights (out, in)
//   SpikingLinear into LIF (torch Linear + Norse LIFCell)   <m>.weight (out, in), <m>.bias
//   SpikingConv2d (torch Conv2d + Norse LIFCell)            <m>.weight (out, in, k, k), <m>.bias
//   LIFRecurrent, LSNNRecurrent (Norse's names already)     <m>.input_weights, <m>.recurrent_weights
//   anything else                                           its own names
// clang-format on
// (A learnable LIF layer's mem_logit, syn_logit and v_th keep their own names: Norse keeps
// learnable constants in its LIFParameters tuple, which no state_dict holds.)
// Norse's LIFCell / LICell hold no tensors, and Norse's ConvNet4 multiplies conv2's output by
// 10 in forward() as Soma's gain does, so weights are written as trained (no gain folded in).
// `renames` maps top-level module names to Norse's (ConvNet4 calls its read-out "out").
#include <map>
#include <string>

#include "core/nn/module.hpp"

namespace soma::nn {

StateDict norse_state_dict(const Module& model,
                           const std::map<std::string, std::string>& renames = {});

}  // namespace soma::nn
