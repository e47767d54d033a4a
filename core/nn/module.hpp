#pragma once
// Module: the base of every layer, as torch.nn.Module. It holds named parameters (leaf tensors
// that require grad), buffers (saved but not trained, such as batch-norm running statistics) and
// child modules, each in registration order. Modules live in shared_ptrs so a child can be held by
// its parent and by user code at once.
//
// Subclasses keep Tensor handles to what they register (e.g. `weight`); those alias the
// registered tensors, so values must be changed in place (copy_, load_state_dict), never by
// assigning a new Tensor to the handle.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using StateDict = std::map<std::string, Tensor>;

class Module;
using ModulePtr = std::shared_ptr<Module>;
using NamedModules = std::vector<std::pair<std::string, ModulePtr>>;

// What a non-strict load_state_dict skipped, by dotted name.
struct LoadResult {
  std::vector<std::string> missing_keys;     // in the module, absent from the map
  std::vector<std::string> unexpected_keys;  // in the map, absent from the module
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // A copy would share the registered tensors with the original behind the user's back.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The default throws: containers and multi-input modules need not have one.
  virtual Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }

  // Registration. Names are non-empty, have no '.', and are unique within this module.
  // register_parameter makes `t` require grad; it must be a leaf. Returns the same handle.
  Tensor register_parameter(const std::string& name, Tensor t);
  Tensor register_buffer(const std::string& name, Tensor t);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    add_child(name, m);
    return m;
  }

  // Recursive, dotted names ("0.weight", "conv1.bias"): own entries first, then each child's.
  // A tensor registered under several names is listed once (its first name), as torch.
  NamedTensors named_parameters() const;
  Tensors parameters() const;
  NamedTensors named_buffers() const;
  Tensors buffers() const;
  const NamedModules& named_children() const { return children_; }
  int64_t num_parameters() const;
  // Moves every parameter and buffer to `device` in place: the handles the module (and an
  // optimizer made afterwards) hold now refer to device storage; gradients are dropped.
  void to_device(Device device);

  // Parameters and buffers by dotted name. The values are detached aliases, not copies: clone
  // them to keep a snapshot while training goes on.
  StateDict state_dict() const;
  // Copies values in place. Shape mismatches always throw; missing or unexpected keys throw when
  // strict and are returned otherwise. Nothing is modified when it throws.
  LoadResult load_state_dict(const StateDict& state, bool strict = true);

  void train(bool on = true);  // this module and all descendants
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient (torch's set_to_none)

 private:
  void check_new_name(const std::string& name) const;
  void add_child(const std::string& name, ModulePtr m);
  // Every parameter (or buffer) of the subtree under `prefix`, duplicates included.
  void collect(const std::string& prefix, bool params, NamedTensors& out) const;

  NamedTensors params_, buffers_;
  NamedModules children_;
  bool training_ = true;
};

}  // namespace soma::nn
