#pragma once
// The one list of tasks. registry.cpp names every task explicitly (a static library would drop
// self-registering objects that nothing references).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tasks/framework/task.hpp"

namespace soma {

struct TaskEntry {
  std::string name, description;
  std::function<TaskPtr()> make;
  std::optional<std::string> web_query;  // Task::web_query: offered on the web page if set
};

const std::vector<TaskEntry>& task_registry();
// Throws std::invalid_argument listing the known tasks when `name` is not one of them.
TaskPtr make_task(const std::string& name);

}  // namespace soma
