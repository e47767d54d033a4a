#pragma once
// Optimizer: updates a fixed list of parameters from their .grad, as torch.optim with a single
// parameter group. Parameters whose gradient is undefined are skipped by step() and their state
// is left as it was.
//
// State (momentum buffers, Adam moments, step counts) is kept per parameter and created lazily
// on the first step that sees a gradient. state_dict() flattens it to names a checkpoint can
// hold: "lr" (a scalar) and "state.<param index>.<name>" (e.g. "state.3.exp_avg").
#include <map>
#include <string>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma::optim {

using StateDict = std::map<std::string, Tensor>;

class Optimizer {
 public:
  Optimizer(Tensors params, float lr);
  virtual ~Optimizer() = default;
  // Copies would share state tensors.
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual void step() = 0;
  void zero_grad();  // drops the gradients (torch's set_to_none)

  float lr() const { return lr_; }
  void set_lr(float lr);  // what schedules call
  const Tensors& params() const { return params_; }

  // Detached aliases of the state, not copies.
  virtual StateDict state_dict() const;
  // Replaces all state with clones of the map's entries. Throws, changing nothing, on a key this
  // optimizer does not use, a parameter index out of range, or a shape that is neither a scalar
  // nor the parameter's shape.
  virtual void load_state_dict(const StateDict& state);

 protected:
  using ParamState = std::map<std::string, Tensor>;
  // The per-parameter state names this optimizer uses; load_state_dict accepts no others.
  virtual std::vector<std::string> state_names() const = 0;
  // The state of parameter i with `name`, created zero-filled in the parameter's shape
  // (or as a scalar) on first use.
  Tensor& state(size_t i, const std::string& name, bool scalar = false);
  bool has_state(size_t i, const std::string& name) const;

  Tensors params_;
  std::vector<ParamState> state_;  // one entry per parameter
  float lr_;
};

}  // namespace soma::optim
