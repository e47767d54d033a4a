#pragma once
// A task's checkpoint: DIR/checkpoint.safetensors holding the model's tensors ("model.<name>"),
// the optimizer's state ("optim.<key>"), any extra tensors ("<name>"), and string metadata with
// the task's name and counters. Written atomically; readable from PyTorch with the safetensors
// package. Beside it, checkpoint-best.safetensors: the same at the best validation loss so far
// (Lightning's ModelCheckpoint keeps "last" and "best" the same way).
//
// Reading validates before anything is changed: the task's name, every counter (a whole number
// in its range: "epoch: 'abc' is not a whole number"), optimizer state present (a checkpoint
// without it would silently restart Adam's moments), every model tensor finite.
#include <map>
#include <string>

#include "core/nn/module.hpp"
#include "core/optim/optimizer.hpp"
#include "core/random/rng.hpp"

namespace soma {

using Metadata = std::map<std::string, std::string>;

inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";
inline constexpr const char* kBestCheckpointFile = "checkpoint-best.safetensors";

void save_checkpoint(const std::string& dir, const std::string& task, const nn::Module& model,
                     const optim::Optimizer& opt, Metadata meta = {},
                     std::map<std::string, Tensor> extra = {},
                     const std::string& file = kCheckpointFile);

struct Checkpoint {
  std::string path;
  Metadata meta;
  std::map<std::string, Tensor> extra;  // tensors that are neither model. nor optim.
  nn::StateDict model_state;
  optim::StateDict optim_state;

  // A metadata value; a missing key is a std::runtime_error naming the file.
  const std::string& at(const std::string& key) const;
  bool has(const std::string& key) const { return meta.count(key) != 0; }
  // A whole number in [lo, hi], or a std::runtime_error naming the file, the key and the value.
  int64_t get_int(const std::string& key, int64_t lo = 0, int64_t hi = INT64_MAX) const;
  // A finite number (or +-inf when allow_inf), else a std::runtime_error naming file and key.
  double get_double(const std::string& key, bool allow_inf = false) const;
  // A random stream saved with Rng::state(), else a std::runtime_error naming file and key.
  Rng get_rng(const std::string& key) const;
  // Loads model_state and optim_state; a mismatch is a std::runtime_error naming the file.
  void restore(nn::Module& model, optim::Optimizer& opt) const;
  // A std::runtime_error "<path>: <what>".
  [[noreturn]] void fail(const std::string& what) const;
};

// Reads and checks DIR/file (task name, finite model tensors, optimizer state present) without
// touching any model.
Checkpoint read_checkpoint(const std::string& dir, const std::string& task,
                           const std::string& file = kCheckpointFile);

// read_checkpoint, then restore into model and opt. A checkpoint of another task, or one whose
// tensors do not fit the model (other model flags), is a std::runtime_error naming the file.
Checkpoint load_checkpoint(const std::string& dir, const std::string& task, nn::Module& model,
                           optim::Optimizer& opt);

// "%.17g": a double as text that reads back to the same double.
std::string exact(double v);

}  // namespace soma
