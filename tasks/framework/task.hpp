#pragma once
// A task is a state machine that the CLI, the desktop GUI and the web page all drive the same
// way: setup() from parameter values, then step() until done(), reading telemetry() at any time.
// A step is one unit of work small enough to keep a GUI frame responsive (a batch, an episode, a
// chunk of simulated time).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/nir/graph.hpp"
#include "core/nn/module.hpp"
#include "core/params/param_values.hpp"
#include "tasks/framework/telemetry.hpp"

namespace soma {

struct RunContext {
  std::string out_dir;         // the run folder; empty in the GUI and on the web (nothing written)
  bool show_progress = false;  // the CLI draws a progress bar from telemetry().progress
};

class Task {
 public:
  virtual ~Task() = default;

  virtual std::string name() const = 0;         // the CLI subcommand: "mnist"
  virtual std::string description() const = 0;  // one line for `soma list` and the task picker
  // Every parameter with its default, range and help: one source of truth for flags, --help,
  // GUI widgets, URL queries and config files. A task fills table_ in its constructor.
  virtual const ParamTable& params() const { return table_; }
  // Reads a --params file into `values`. The default takes Soma's own JSON config (a flat
  // object of parameters); a task whose users bring files in another format overrides it.
  virtual void apply_params_file(ParamValues& values, const std::string& path) const;
  // Where the CLI writes the run when no --out is given; empty: runs/<task>-<date>-<time>.
  // (The microcircuit writes beside its params file, as the seed's runner did.)
  virtual std::string default_run_folder(const ParamValues&) const { return {}; }
  // False (the default): --out refuses a folder that holds a run (--resume or --overwrite say
  // which is meant). True for a task whose folder is a cache of finished pieces that a rerun
  // skips (cet-sweep's cells): running it again into the same folder is how it continues.
  virtual bool reruns_in_folder() const { return false; }
  // The browser playground offers the task when this has a value: a URL query applied over the
  // defaults so that one step fits a frame on one thread ("samples=64&batch_size=8"). None (the
  // default): not on the web page (it needs data files, or its steps are too long).
  virtual std::optional<std::string> web_query() const { return std::nullopt; }

  virtual void setup(const ParamValues& values, const RunContext& ctx) = 0;
  virtual void step() = 0;
  virtual bool done() const = 0;
  // Takes new values while the task runs (the GUI's sliders). Only parameters without the
  // restart flag may differ from the values given to setup(). The default stores them in
  // values_, for a task that reads every such parameter from values() when it uses it.
  virtual void update_params(const ParamValues& v) {
    if (values_) *values_ = v;
  }
  // Interactive input (the GUI's drawing pad): a task that takes one returns its (rows, cols);
  // infer() then runs the model on `input` (values in [0, 1]) and publishes what it makes of it
  // into telemetry. The defaults take none.
  virtual std::pair<int64_t, int64_t> input_shape() const { return {0, 0}; }
  // Whether every op of this configuration has a CUDA path (check_device refuses --device cuda
  // otherwise, rather than letting the run fail at its first CPU-only op).
  virtual bool runs_on_cuda(const ParamValues&) const { return false; }
  virtual void infer(const Image&) {}
  const Telemetry& telemetry() const { return telemetry_; }
  // Progress inside one long call: the trainer's validation pass inside step() and its test
  // pass inside finish() report each batch (phase "validation" or "test", batches done of
  // total). The CLI draws it on its progress bar (a CIFAR-10 test pass at T 32 takes minutes);
  // without a listener, as in the playground, reporting costs nothing.
  using PhaseListener = std::function<void(const std::string& phase, int64_t done, int64_t total)>;
  void listen_to_phases(PhaseListener l) { phase_listener_ = std::move(l); }

  // Checkpoints: everything needed to continue (weights, optimizer state, counters) in `dir`.
  // Files are written atomically. The defaults say the task has no checkpoint.
  virtual void save(const std::string& dir) const;
  virtual void load(const std::string& dir);
  // Interop (tasks/framework/interop.hpp), after setup() and load(): the trained network as a
  // NIR graph (its input is what the model takes after the task's encoder; the metadata says
  // what), the model itself for Norse-named checkpoints, and where Norse's module names differ.
  // The defaults say the task has none.
  virtual nir::Graph to_nir() const;
  // Sets the model from a NIR graph as to_nir() writes it (--init_from FILE.nir), after setup().
  virtual void init_from_nir(const nir::Graph& g);
  virtual const nn::Module* network() const { return nullptr; }
  virtual std::map<std::string, std::string> norse_module_names() const { return {}; }
  // After the last step: final evaluation, plots and results into ctx.out_dir (if set). Returns
  // the line the CLI prints last ("test accuracy 97.3%").
  virtual std::string finish() { return {}; }

 protected:
  // The values given to setup() (keep_values), updated by update_params.
  void keep_values(const ParamValues& v) { values_ = std::make_unique<ParamValues>(v); }
  const ParamValues& values() const { return *values_; }
  bool has_values() const { return values_ != nullptr; }

  void report_phase(const std::string& phase, int64_t done, int64_t total) const {
    if (phase_listener_) phase_listener_(phase, done, total);
  }

  ParamTable table_;
  std::unique_ptr<ParamValues> values_;
  Telemetry telemetry_;

 private:
  PhaseListener phase_listener_;
};

using TaskPtr = std::unique_ptr<Task>;

}  // namespace soma
