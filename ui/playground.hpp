#pragma once
// The playground: one task at a time, driven only through the Task interface and drawn from its
// Telemetry. Shared by the desktop GUI (native/soma_gui.cpp) and the web page (web/main.cpp);
// neither GLFW nor Emscripten appear here, the platforms reach in through PlatformHooks.
//
// Time slicing: while running, each frame calls step() until `steps_per_frame` steps are done or
// `frame_budget_ms` has passed (at least one step), so a browser page stays at its frame rate on
// one thread. Parameter edits apply at once to parameters without the restart flag (through
// Task::update_params) and at the next reset to the others.
//
// State as a query string: "task=memory&learning_rate=0.01&seed=3" holds the task and every value
// that differs from its base (the table's defaults overridden by the platform's per-task
// defaults, e.g. the web's small ones), so open_query(query()) restores the same state.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tasks/framework/task.hpp"

namespace soma::ui {

class TaskView;

struct PlatformHooks {
  // The state changed (task, parameters): the web page writes query() into its URL.
  std::function<void(const std::string& query)> state_changed;
  // A file was written for the user (config, checkpoint): the web page offers it as a download.
  std::function<void(const std::string& path)> offer_file;
  // Load buttons ask the platform for a file ("config" or "checkpoint") instead of using the path
  // fields; the web page opens a file chooser and calls load_config / load_checkpoint itself.
  std::function<void(const std::string& kind)> choose_file;
};

struct PlaygroundOptions {
  std::vector<std::string> tasks;                    // the task picker's list (empty: all)
  std::map<std::string, std::string> task_defaults;  // task -> query applied over its defaults
  std::string default_task = "memory";
  std::string files_dir = "runs/gui";  // where configs and checkpoints go
  bool embed = false;                  // hide the chrome: run bar and views only
  bool autorun = false;                // start running after open
  int steps_per_frame = 1;
  double frame_budget_ms = 12;
};

// Per-step timing, as the run bar shows it.
struct StepStats {
  int64_t steps = 0;            // since the last reset
  double last_ms = 0;           // the last step
  double mean_ms = 0;           // exponential moving average over ~20 steps
  double steps_per_second = 0;  // over the last second of running
  double setup_ms = 0;
};

class Playground {
 public:
  explicit Playground(PlaygroundOptions opt, PlatformHooks hooks = {});
  ~Playground();

  // Opens `task` with `query` applied over its base values. A bad task name or parameter leaves
  // a message (message()) and falls back to the default task or the base values; returns false
  // then.
  bool open(const std::string& task, const std::string& query = "");
  // A whole query: task=NAME, embed=0|1, run=0|1, steps_per_frame=N, then the task's parameters.
  bool open_query(const std::string& query);
  std::string query() const;

  // Setup with the pending values (restart parameters included); resets the step statistics.
  void reset();
  void set_running(bool on) { running_ = on; }
  bool running() const { return running_; }
  void step_once();
  // Runs this frame's share of steps (if running).
  void advance();
  // Draws the whole interface into the current ImGui frame (advance() first).
  void draw();

  const Task* task() const { return task_.get(); }
  const std::string& task_name() const { return task_name_; }
  const ParamValues* values() const { return pending_.get(); }
  const StepStats& stats() const { return stats_; }
  // The last error or warning for the user ("URL query: parameter 'x': ..."), or "".
  const std::string& message() const { return message_; }
  bool embed() const { return opt_.embed; }
  PlaygroundOptions& options() { return opt_; }
  // Everything a test wants to see, as JSON: task, steps, running, message, the last value and
  // length of every series, status.
  std::string state_json() const;

  // Config and checkpoint files (JSON parameters; the task's safetensors checkpoint).
  void save_config(const std::string& path);
  void load_config(const std::string& path);
  void save_checkpoint(const std::string& dir);
  void load_checkpoint(const std::string& dir);

 private:
  ParamValues base_values(const std::string& task) const;
  void apply_live_params();
  void notify();
  void fail(const std::string& what);
  void draw_controls();
  void draw_run_bar();
  void draw_files();
  void draw_views();

  PlaygroundOptions opt_;
  PlatformHooks hooks_;
  std::string task_name_;
  TaskPtr task_;
  std::unique_ptr<ParamValues> pending_, applied_;
  std::unique_ptr<TaskView> view_;
  bool running_ = false;
  StepStats stats_;
  double rate_window_start_ = 0;
  int64_t rate_window_steps_ = 0;
  std::string message_;
  std::string config_path_, checkpoint_dir_;
  std::string last_query_;
  Image input_;                         // the drawing pad, for tasks with an input_shape
  float input_rect_[4] = {0, 0, 0, 0};  // its screen rectangle (x, y, w, h), for tests
};

double now_ms();

}  // namespace soma::ui
