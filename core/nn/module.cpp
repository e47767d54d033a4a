#include "core/nn/module.hpp"

#include <set>
#include <stdexcept>

namespace soma::nn {

namespace {

NamedTensors unique_by_storage(const NamedTensors& all) {
  std::set<const TensorImpl*> seen;
  NamedTensors out;
  for (const auto& [name, t] : all)
    if (seen.insert(t.impl().get()).second) out.emplace_back(name, t);
  return out;
}

Tensors values_of(const NamedTensors& named) {
  Tensors out;
  for (const auto& [name, t] : named) out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  throw std::logic_error("Module::forward: this module has no single-tensor forward");
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw std::invalid_argument("Module: invalid name '" + name + "' (empty or has a '.')");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(params_) || taken(buffers_) || taken(children_))
    throw std::invalid_argument("Module: name '" + name + "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor t) {
  check_new_name(name);
  if (!t.defined()) throw std::invalid_argument("Module: parameter '" + name + "' is undefined");
  t.requires_grad_(true);  // throws for non-leaves
  params_.emplace_back(name, t);
  return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
  check_new_name(name);
  if (!t.defined()) throw std::invalid_argument("Module: buffer '" + name + "' is undefined");
  buffers_.emplace_back(name, t);
  return t;
}

void Module::add_child(const std::string& name, ModulePtr m) {
  check_new_name(name);
  if (!m) throw std::invalid_argument("Module: child '" + name + "' is null");
  children_.emplace_back(name, std::move(m));
}

void Module::collect(const std::string& prefix, bool params, NamedTensors& out) const {
  for (const auto& [name, t] : params ? params_ : buffers_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", params, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors all;
  collect("", true, all);
  return unique_by_storage(all);
}

Tensors Module::parameters() const {
  return values_of(named_parameters());
}

void Module::to_device(Device device) {
  Tensors all = parameters();
  for (const Tensor& b : buffers()) all.push_back(b);
  for (Tensor& t : all) {
    if (t.device() == device) continue;
    Tensor moved = t.detach().to(device);
    TensorImpl& impl = *t.impl();
    impl.storage = moved.impl()->storage;
    impl.offset = moved.impl()->offset;
    impl.device = device;
    t.zero_grad();
  }
}

NamedTensors Module::named_buffers() const {
  NamedTensors all;
  collect("", false, all);
  return unique_by_storage(all);
}

Tensors Module::buffers() const {
  return values_of(named_buffers());
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

StateDict Module::state_dict() const {
  NamedTensors all;
  collect("", true, all);
  collect("", false, all);
  StateDict out;
  for (const auto& [name, t] : all) out.emplace(name, t.detach());
  return out;
}

LoadResult Module::load_state_dict(const StateDict& state, bool strict) {
  NamedTensors own;
  collect("", true, own);
  collect("", false, own);
  LoadResult result;
  std::vector<std::string> mismatched;
  std::set<std::string> own_names;
  for (const auto& [name, t] : own) {
    own_names.insert(name);
    auto it = state.find(name);
    if (it == state.end())
      result.missing_keys.push_back(name);
    else if (!it->second.defined() || it->second.shape() != t.shape())
      mismatched.push_back(name + " (checkpoint " +
                           (it->second.defined() ? to_string(it->second.shape()) : "undefined") +
                           ", module " + to_string(t.shape()) + ")");
  }
  for (const auto& [name, t] : state)
    if (!own_names.count(name)) result.unexpected_keys.push_back(name);

  std::string error;
  if (!mismatched.empty()) error += "shape mismatch: " + join(mismatched) + "; ";
  if (strict && !result.missing_keys.empty())
    error += "missing keys: " + join(result.missing_keys) + "; ";
  if (strict && !result.unexpected_keys.empty())
    error += "unexpected keys: " + join(result.unexpected_keys) + "; ";
  if (!error.empty())
    throw std::invalid_argument("load_state_dict: " + error.substr(0, error.size() - 2));

  for (auto& [name, t] : own) {
    auto it = state.find(name);
    if (it != state.end()) t.copy_(it->second);
  }
  return result;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& p : parameters()) p.zero_grad();
}

}  // namespace soma::nn
