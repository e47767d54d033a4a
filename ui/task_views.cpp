#include "ui/task_views.hpp"

namespace soma::ui {

std::unique_ptr<TaskView> make_task_view(const std::string& task) {
  if (task == "cartpole") return make_cartpole_view();
  if (task == "microcircuit") return make_microcircuit_view();
  if (task == "digits") return make_digits_view();
  if (task == "dsqn") return make_dsqn_view();
  return nullptr;
}

}  // namespace soma::ui
