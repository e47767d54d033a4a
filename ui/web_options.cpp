#include "ui/web_options.hpp"

#include <algorithm>
#include <utility>

#include "tasks/registry.hpp"

namespace soma::ui {

PlaygroundOptions web_options() {
  PlaygroundOptions opt;
  for (const TaskEntry& e : task_registry())  // each task says if it suits the web
    if (e.web_query) {
      opt.tasks.push_back(e.name);
      if (!e.web_query->empty()) opt.task_defaults[e.name] = *e.web_query;
    }
  // Runs go on until paused, as TensorFlow Playground's do, instead of ending after a few
  // hundred episodes with the Run button greyed out; a demo still ends when it reaches its goal
  // (memory's stop_loss, cart-pole's solved threshold).
  for (const auto& [task, longer] : {std::pair<const char*, const char*>{"memory", "epochs=100000"},
                                     {"correlation", "episodes=100000"},
                                     {"cartpole", "episodes=100000"},
                                     {"cet-demo", "training_steps=100000"}})
    if (opt.task_defaults.count(task) ||
        std::find(opt.tasks.begin(), opt.tasks.end(), task) != opt.tasks.end()) {
      std::string& q = opt.task_defaults[task];
      q += (q.empty() ? "" : "&") + std::string(longer);
    }
  opt.files_dir = "/tmp/soma";
  opt.autorun = true;
  opt.steps_per_frame = 8;
  opt.frame_budget_ms = 10;
  opt.show_message = false;  // index.html's #message bar shows it
  opt.browser = true;
  opt.size_cap = 16;
  // A float that sets the work per step: 50 ms of simulated time is ~0.1 s of one tab's CPU.
  opt.task_limits["microcircuit"] = "chunk_ms=50";
  return opt;
}

}  // namespace soma::ui
