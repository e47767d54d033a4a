#pragma once
// A task's checkpoint: DIR/checkpoint.safetensors holding the model's tensors ("model.<name>"),
// the optimizer's state ("optim.<key>"), any extra tensors ("<name>", e.g. "trainer.metrics"),
// and string metadata with the task's name and counters. Written atomically; readable from
// PyTorch with the safetensors package.
#include <map>
#include <string>

#include "core/nn/module.hpp"
#include "core/optim/optimizer.hpp"

namespace soma {

using Metadata = std::map<std::string, std::string>;

void save_checkpoint(const std::string& dir, const std::string& task, const nn::Module& model,
                     const optim::Optimizer& opt, Metadata meta = {},
                     std::map<std::string, Tensor> extra = {});

struct Checkpoint {
  std::string path;
  Metadata meta;
  std::map<std::string, Tensor> extra;
  // A metadata value; a missing key is a std::runtime_error naming the file.
  const std::string& at(const std::string& key) const;
};

// Loads DIR/checkpoint.safetensors into model and opt and returns the rest. A checkpoint of
// another task, or one whose tensors do not fit the model (other model flags), is a
// std::runtime_error naming the file.
Checkpoint load_checkpoint(const std::string& dir, const std::string& task, nn::Module& model,
                           optim::Optimizer& opt);

}  // namespace soma
