#pragma once
// The playground: one task at a time, driven only through the Task interface and drawn from its
// Telemetry. Shared by the desktop GUI (native/soma_gui.cpp) and the web page (web/main.cpp);
// neither GLFW nor Emscripten appear here, the platforms reach in through PlatformHooks.
//
// Time slicing: while running, training gets `frame_budget_ms` of each frame on average (at most
// `steps_per_frame` steps a frame); a step longer than that runs every few frames with the ones
// between only drawing, so a browser page stays at its frame rate on one thread. Parameter edits
// apply at once to parameters without the restart flag (through Task::update_params) and at the
// next reset to the others.
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
  // fields; the web page opens a file chooser and calls load_config / load_checkpoint /
  // import_nir itself.
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
  // Draw message() at the top of the window. The web page shows it in its own bar instead, so
  // an error is shown once and the canvas layout never shifts under the cursor.
  bool show_message = true;
  // The browser: no device choice (it computes on the CPU; device=cuda is refused by name), no
  // file-path fields (files come through PlatformHooks::choose_file), and every integer
  // parameter capped at what one tab affords (size_cap, task_limits).
  bool browser = false;
  // Caps every integer parameter but the seed at max(size_cap x its platform default, its table
  // default, size_cap) unless the table's own bound is lower (0: no cap). 16 on the web: a
  // demo can grow 16-fold, never 10^6-fold (samples=100000000 froze the page for 28 s).
  double size_cap = 0;
  std::map<std::string, std::string> task_limits;  // task -> "name=max&...": explicit caps
  // The desktop: steps run on a worker thread while the window draws the telemetry of the last
  // finished one, so a 13 s MNIST step never freezes it. (The web page has one thread: off.)
  bool worker_thread = false;
  // The plots' smoothing of noisy series (TensorBoard's: the moving average's weight of the
  // past; 0 shows the raw values only). The views' slider sets it.
  double smoothing = 0.6;
};

// Per-step timing, as the run bar shows it.
struct StepStats {
  int64_t steps = 0;            // since the last reset
  double last_ms = 0;           // the last step
  double mean_ms = 0;           // exponential moving average over ~20 steps
  double steps_per_second = 0;  // over the last second of running
  double setup_ms = 0;
  double draw_ms = 0;  // drawing the UI (and rendering it, as the platform reports), ~20 frames
  double ui_ms = 0;    // of which building ImGui's draw lists (draw() and ImGui::Render())
  // What the renderer was handed last frame (ImDrawData): the software WebGL's cost follows it.
  int vertices = 0, indices = 0, draw_calls = 0;
  // Frames built, and of them drawn (the web page skips a frame identical to the last), since
  // start-up; frames built per second over the last second.
  int64_t frames = 0, frames_drawn = 0;
  double frames_per_second = 0;
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
  // Each rejected value is named once in message() and every other value is applied.
  bool open_query(const std::string& query);
  std::string query() const;

  // Setup with the pending values (restart parameters included); resets the step statistics.
  void reset();
  void set_running(bool on);
  bool running() const { return running_; }
  void step_once();
  // Runs this frame's share of steps (if running).
  void advance();
  // Draws the whole interface into the current ImGui frame (advance() first).
  void draw();

  const Task* task() const { return task_.get(); }
  // What the views draw: the task's telemetry, or while a worker step runs, a copy taken before.
  const Telemetry& telemetry() const;
  bool task_done() const;  // false while a worker step runs
  bool stepping() const { return job_ != nullptr; }
  // Waits for a worker step in flight (saving a checkpoint, soma-gui's last --frames frame).
  void wait_for_step();
  const std::string& task_name() const { return task_name_; }
  const ParamValues* values() const { return pending_.get(); }
  const StepStats& stats() const { return stats_; }
  // The last error or warning for the user ("URL query: parameter 'x': ..."), or "".
  const std::string& message() const { return message_; }
  // A passing confirmation ("saved runs/gui/params.json"), shown beside the button that caused
  // it for a few seconds; never an error, never in the page's error bar.
  const std::string& notice() const { return notice_; }
  // A finger dragged `dy` px up (down if negative) since the last frame: the scrolling panel
  // under it follows (the web page's stacked phone layout is one long column).
  void scroll_by_touch(float dy) { touch_scroll_ += dy; }
  // The platform reports how long drawing took this frame (draw() through rendering) and
  // whether it drew it (false: identical to the last frame, left on screen).
  void note_frame(double draw_ms, double ui_ms, bool drawn = true);
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
  // The trained network as a NIR file (HDF5, in every build: core/nir/hdf5_write.hpp) with the
  // task's parameters as soma.config, as `soma export-nir` writes it; the web page offers it as a
  // download. A task without a NIR equivalent (LSNN, no network) says why in message().
  void export_nir(const std::string& path);
  // Sets the running task's network from a NIR file (as `--init_from`; every build reads NIR:
  // core/nir/hdf5_read.hpp), e.g. one that export_nir, `soma export-nir`, Norse or snnTorch
  // wrote. Sizes that do not fit the task's model, or a corrupt file, are named in message().
  void import_nir(const std::string& path);

 private:
  ParamValues base_values(const std::string& task) const;
  void apply_live_params();
  void notify();
  void fail(const std::string& what);
  void draw_controls();
  void draw_run_bar();
  void draw_files();
  void draw_views();
  void take_touch_scroll();
  struct StepJob;
  void launch_job();
  void collect_job();
  void count_step(double ms);
  void draw_intro();
  void draw_params();
  void set_notice(const std::string& text);
  void apply_pairs(const std::string& query, std::vector<std::string>& errors);
  bool open_checked(const std::string& task, const std::string& query,
                    std::vector<std::string> errors);

  PlaygroundOptions opt_;
  bool default_autorun_ = false;  // the platform's: a query says run=0 or run=1 only if it differs
  std::unique_ptr<ParamTable> table_;  // the task's table with the platform's caps
  PlatformHooks hooks_;
  std::string task_name_;
  std::shared_ptr<Task> task_;  // shared with a worker step in flight
  std::shared_ptr<StepJob> job_;
  Telemetry snapshot_;       // the telemetry when job_ started
  bool live_dirty_ = false;  // parameter edits to hand the task when job_ is collected
  std::unique_ptr<ParamValues> pending_, applied_;
  std::unique_ptr<TaskView> view_;
  bool running_ = false;
  StepStats stats_;
  double rate_window_start_ = 0;
  double step_credit_ms_ = 0;  // this frame's training time; < 0: a past step's overrun
  int64_t rate_window_steps_ = 0, rate_window_frames_ = 0;
  std::string message_, notice_;
  double notice_until_ms_ = 0;
  // For tests (state_json): the parameter list's scroll (y, max y), how far the views reach past
  // their panel (px), and how many parameter labels were wider than their column last frame.
  float controls_scroll_[2] = {0, 0};
  float views_overflow_ = 0;
  float touch_scroll_ = 0;  // px a finger moved the list since the last frame
  int labels_clipped_ = 0;
  std::string config_path_, checkpoint_dir_;
  std::string last_query_;
  Image input_;                         // the drawing pad, for tasks with an input_shape
  float input_rect_[4] = {0, 0, 0, 0};  // its screen rectangle (x, y, w, h), for tests
};

double now_ms();

}  // namespace soma::ui
