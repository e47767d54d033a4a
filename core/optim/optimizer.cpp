#include "core/optim/optimizer.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

namespace soma::optim {

namespace {

struct StateKey {
  size_t index;
  std::string name;
};

// "state.<index>.<name>"; throws on anything else.
StateKey parse_state_key(const std::string& key) {
  const std::string prefix = "state.";
  size_t dot = key.find('.', prefix.size());
  bool ok =
      key.compare(0, prefix.size(), prefix) == 0 && dot != std::string::npos &&
      dot > prefix.size() && dot + 1 < key.size() &&
      std::all_of(key.begin() + std::ptrdiff_t(prefix.size()), key.begin() + std::ptrdiff_t(dot),
                  [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) throw std::invalid_argument("Optimizer::load_state_dict: unexpected key '" + key + "'");
  return {size_t(std::stoul(key.substr(prefix.size(), dot - prefix.size()))), key.substr(dot + 1)};
}

}  // namespace

Optimizer::Optimizer(Tensors params, float lr)
    : params_(std::move(params)), state_(params_.size()), lr_(0) {
  for (size_t i = 0; i < params_.size(); ++i)
    if (!params_[i].defined() || !params_[i].is_leaf())
      throw std::invalid_argument("Optimizer: parameter " + std::to_string(i) +
                                  " is undefined or not a leaf");
  set_lr(lr);
}

void Optimizer::set_lr(float lr) {
  if (!(lr >= 0.0f)) throw std::invalid_argument("Optimizer: invalid lr " + std::to_string(lr));
  lr_ = lr;
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

Tensor& Optimizer::state(size_t i, const std::string& name, bool scalar) {
  auto [it, inserted] = state_[i].try_emplace(name);
  // Moments live beside their parameter; step counters stay on the host, where the step reads
  // them. State loaded from a checkpoint (always on the CPU) moves to the parameter's device.
  const Device d = scalar ? Device::cpu : params_[i].device();
  if (inserted)
    it->second = scalar ? Tensor::scalar(0) : Tensor::zeros(params_[i].shape(), d);
  else if (it->second.device() != d)
    it->second = it->second.to(d);
  return it->second;
}

bool Optimizer::has_state(size_t i, const std::string& name) const {
  return state_[i].count(name) > 0;
}

StateDict Optimizer::state_dict() const {
  StateDict out{{"lr", Tensor::scalar(lr_)}};
  for (size_t i = 0; i < state_.size(); ++i)
    for (const auto& [name, t] : state_[i])
      out.emplace("state." + std::to_string(i) + "." + name, t.detach());
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  std::vector<ParamState> loaded(params_.size());
  const auto names = state_names();
  float lr = lr_;
  for (const auto& [key, t] : state) {
    if (key == "lr" && t.defined() && t.numel() == 1) {
      lr = t.item();
      continue;
    }
    StateKey k = parse_state_key(key);
    if (k.index >= params_.size() || std::find(names.begin(), names.end(), k.name) == names.end())
      throw std::invalid_argument("Optimizer::load_state_dict: unexpected key '" + key + "'");
    if (!t.defined() || (t.dim() != 0 && t.shape() != params_[k.index].shape()))
      throw std::invalid_argument("Optimizer::load_state_dict: '" + key + "' has shape " +
                                  (t.defined() ? to_string(t.shape()) : "undefined") +
                                  ", parameter has " + to_string(params_[k.index].shape()));
    loaded[k.index][k.name] = t.clone();
  }
  set_lr(lr);
  state_ = std::move(loaded);
}

}  // namespace soma::optim
