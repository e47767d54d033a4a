#include "tasks/framework/checkpoint.hpp"

#include <filesystem>
#include <stdexcept>

#include "core/io/safetensors.hpp"

namespace soma {

void save_checkpoint(const std::string& dir, const std::string& task, const nn::Module& model,
                     const optim::Optimizer& opt, Metadata meta,
                     std::map<std::string, Tensor> extra) {
  for (const auto& [k, t] : model.state_dict()) extra["model." + k] = t;
  for (const auto& [k, t] : opt.state_dict()) extra["optim." + k] = t;
  meta["task"] = task;
  std::filesystem::create_directories(dir);
  save_safetensors(dir + "/checkpoint.safetensors", extra, meta);
}

const std::string& Checkpoint::at(const std::string& key) const {
  auto it = meta.find(key);
  if (it == meta.end()) throw std::runtime_error(path + ": no '" + key + "' in its metadata");
  return it->second;
}

Checkpoint load_checkpoint(const std::string& dir, const std::string& task, nn::Module& model,
                           optim::Optimizer& opt) {
  const std::string path = dir + "/checkpoint.safetensors";
  SafetensorsData d = load_safetensors(path);
  Checkpoint c{path, std::move(d.metadata), {}};
  if (c.at("task") != task)
    throw std::runtime_error(path + ": a checkpoint of task '" + c.at("task") + "', not '" + task +
                             "'");
  nn::StateDict model_state;
  optim::StateDict opt_state;
  for (auto& [k, t] : d.tensors) {
    if (k.rfind("model.", 0) == 0)
      model_state[k.substr(6)] = t;
    else if (k.rfind("optim.", 0) == 0)
      opt_state[k.substr(6)] = t;
    else
      c.extra[k] = t;
  }
  try {
    model.load_state_dict(model_state);
    opt.load_state_dict(opt_state);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": does not fit this model (" + e.what() +
                             "); were the model flags changed?");
  }
  return c;
}

}  // namespace soma
