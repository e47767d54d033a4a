#include "tasks/framework/task.hpp"

#include <stdexcept>

#include "core/params/param_json.hpp"

namespace soma {

void Task::apply_params_file(ParamValues& values, const std::string& path) const {
  apply_params_json_file(values, path);
}

void Task::save(const std::string&) const {
  throw std::runtime_error("task '" + name() + "' has no checkpoint to save");
}

nir::Graph Task::to_nir() const {
  throw std::runtime_error("task '" + name() + "' has no network to export to NIR");
}

void Task::init_from_nir(const nir::Graph&) {
  throw std::runtime_error("task '" + name() + "' has no network to initialise from NIR");
}

void Task::load(const std::string&) {
  throw std::runtime_error("task '" + name() + "' has no checkpoint to load");
}

}  // namespace soma
