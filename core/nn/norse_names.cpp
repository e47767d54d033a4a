#include "core/nn/norse_names.hpp"

#include "core/nn/spiking_layers.hpp"

namespace soma::nn {
namespace {

void collect(const Module& m, const std::string& prefix, StateDict& out) {
  if (auto* l = dynamic_cast<const SpikingLinear*>(&m)) {
    if (!l->neuron.spiking && !l->synapse->bias.defined()) {
      out[prefix + "input_weights"] = l->synapse->weight;
    } else {
      out[prefix + "weight"] = l->synapse->weight;
      if (l->synapse->bias.defined()) out[prefix + "bias"] = l->synapse->bias;
    }
    return;
  }
  if (auto* c = dynamic_cast<const SpikingConv2d*>(&m)) {
    out[prefix + "weight"] = c->synapse->weight;
    if (c->synapse->bias.defined()) out[prefix + "bias"] = c->synapse->bias;
    return;
  }
  // This module's own tensors: its state_dict less what belongs to its children.
  for (const auto& [key, t] : m.state_dict()) {
    bool own = true;
    for (const auto& [child, ptr] : m.named_children())
      if (key.rfind(child + ".", 0) == 0) own = false;
    if (own) out[prefix + key] = t;
  }
  for (const auto& [child, ptr] : m.named_children()) collect(*ptr, prefix + child + ".", out);
}

}  // namespace

StateDict norse_state_dict(const Module& model, const std::map<std::string, std::string>& renames) {
  StateDict out;
  for (const auto& [key, t] : model.state_dict()) {
    bool in_child = false;
    for (const auto& [child, ptr] : model.named_children())
      if (key.rfind(child + ".", 0) == 0) in_child = true;
    if (!in_child) out[key] = t;
  }
  for (const auto& [child, ptr] : model.named_children()) {
    auto it = renames.find(child);
    collect(*ptr, (it == renames.end() ? child : it->second) + ".", out);
  }
  return out;
}

}  // namespace soma::nn
