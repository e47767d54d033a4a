#include "tasks/framework/checkpoint.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "core/io/safetensors.hpp"

namespace soma {

void save_checkpoint(const std::string& dir, const std::string& task, const nn::Module& model,
                     const optim::Optimizer& opt, Metadata meta,
                     std::map<std::string, Tensor> extra, const std::string& file) {
  for (const auto& [k, t] : model.state_dict()) extra["model." + k] = t;
  for (const auto& [k, t] : opt.state_dict()) extra["optim." + k] = t;
  meta["task"] = task;
  std::filesystem::create_directories(dir);
  save_safetensors(dir + "/" + file, extra, meta);
}

std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void Checkpoint::fail(const std::string& what) const {
  throw std::runtime_error(path + ": " + what);
}

const std::string& Checkpoint::at(const std::string& key) const {
  auto it = meta.find(key);
  if (it == meta.end()) fail("no '" + key + "' in its metadata");
  return it->second;
}

int64_t Checkpoint::get_int(const std::string& key, int64_t lo, int64_t hi) const {
  const std::string& s = at(key);
  long long v = 0;
  int used = 0;
  if (s.empty() || std::sscanf(s.c_str(), "%lld%n", &v, &used) != 1 || size_t(used) != s.size())
    fail(key + ": '" + s.substr(0, 40) + "' is not a whole number");
  if (v < lo || v > hi)
    fail(key + ": " + s + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

double Checkpoint::get_double(const std::string& key, bool allow_inf) const {
  const std::string& s = at(key);
  double v = 0;
  int used = 0;
  if (s.empty() || std::sscanf(s.c_str(), "%lf%n", &v, &used) != 1 || size_t(used) != s.size())
    fail(key + ": '" + s.substr(0, 40) + "' is not a number");
  if (std::isnan(v) || (!allow_inf && std::isinf(v))) fail(key + ": " + s + " is not finite");
  return v;
}

Rng Checkpoint::get_rng(const std::string& key) const {
  Rng rng;
  try {
    rng.set_state(at(key));
  } catch (const std::invalid_argument& e) {
    fail(key + ": " + e.what());
  }
  return rng;
}

void Checkpoint::restore(nn::Module& model, optim::Optimizer& opt) const {
  try {
    model.load_state_dict(model_state);
    opt.load_state_dict(optim_state);
  } catch (const std::exception& e) {
    fail(std::string("does not fit this model (") + e.what() + "); were the model flags changed?");
  }
}

Checkpoint read_checkpoint(const std::string& dir, const std::string& task,
                           const std::string& file) {
  const std::string path = dir + "/" + file;
  SafetensorsData d = load_safetensors(path);
  Checkpoint c{path, std::move(d.metadata), {}, {}, {}};
  if (c.at("task") != task)
    c.fail("a checkpoint of task '" + c.at("task") + "', not '" + task + "'");
  for (auto& [k, t] : d.tensors) {
    if (k.rfind("model.", 0) == 0) {
      for (int64_t i = 0; i < t.numel(); ++i)
        if (!std::isfinite(t.data()[i]))
          c.fail("model tensor '" + k.substr(6) + "' holds a NaN or infinite value");
      c.model_state[k.substr(6)] = t;
    } else if (k.rfind("optim.", 0) == 0) {
      c.optim_state[k.substr(6)] = t;
    } else {
      c.extra[k] = t;
    }
  }
  // Every optimizer writes its learning rate; without it the state is missing altogether and
  // a resumed run would quietly start Adam's moments from zero.
  if (!c.optim_state.count("lr")) c.fail("no optimizer state (optim.lr); cannot resume exactly");
  return c;
}

Checkpoint load_checkpoint(const std::string& dir, const std::string& task, nn::Module& model,
                           optim::Optimizer& opt) {
  Checkpoint c = read_checkpoint(dir, task);
  c.restore(model, opt);
  return c;
}

}  // namespace soma
