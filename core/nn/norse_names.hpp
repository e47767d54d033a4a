#pragma once
// A model's tensors under the state_dict keys of the Norse modules its layers correspond to, so
// that `model.load_state_dict(safetensors.torch.load_file(path))` works in Python:
//   SpikingLinear into LI, no bias (Norse's LILinearCell)    <m>.input_weights       (out, in)
//   SpikingLinear into LIF (torch Linear + Norse LIFCell)    <m>.weight, <m>.bias    (out, in)
//   SpikingConv2d (torch Conv2d + Norse LIFCell)             <m>.weight, <m>.bias    (out, in, k,
//   k) LIFRecurrent, LSNNRecurrent (Norse's names already)      <m>.input_weights,
//   <m>.recurrent_weights anything else                                            its own names
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
