#include "tasks/framework/run.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "tasks/framework/csv.hpp"
#include "tasks/framework/progress_bar.hpp"
#include "tasks/framework/svg_plot.hpp"
#include "tasks/framework/tensorboard_log.hpp"

namespace soma {
namespace {

std::string file_name(const std::string& name) {
  std::string s;
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

LinePlot plot_of(const Traces& tr) {
  LinePlot p{tr.name,
             tr.x_label.empty() ? "time step" : tr.x_label,
             !tr.y_label.empty()     ? tr.y_label
             : tr.labels.size() == 1 ? tr.labels[0]
                                     : "value",
             false,
             {}};
  for (int64_t c = 0; c < std::min<int64_t>(tr.channels, 10); ++c) {
    PlotLine l{size_t(c) < tr.labels.size() ? tr.labels[size_t(c)] : "#" + std::to_string(c),
               {},
               {},
               false,
               {},
               false,
               false};
    for (int64_t t = 0; t < tr.steps; ++t) {
      l.x.push_back(double(t));
      l.y.push_back(tr.values[size_t(t * tr.channels + c)]);
    }
    p.lines.push_back(std::move(l));
  }
  return p;
}

}  // namespace

// Each series gets plots/<name>.svg, with every series that names it as its overlay drawn on
// the same axes (the validation loss over the smoothed batch loss).
void write_series_plots(const Telemetry& t, const std::string& plots) {
  for (const Series& s : t.series()) {
    if (s.style.no_plot || (!s.style.overlay.empty() && t.find_series(s.style.overlay))) continue;
    LinePlot p = plot_of(s);
    for (const Series& o : t.series())
      if (o.style.overlay == s.name && !o.x.empty())
        p.lines.push_back({o.name, o.x, o.y, false, "#d62728", false, true});
    if (p.lines.size() > 1 && p.lines.front().label.empty()) p.lines.front().label = s.name;
    if (s.x.size() > 1 || p.lines.size() > 1)
      write_svg(plots + "/" + file_name(s.name) + ".svg", p);
  }
}

void write_telemetry(const Telemetry& t, const std::string& dir) {
  const std::string plots = dir + "/plots";
  std::filesystem::create_directories(plots);
  if (!t.series().empty()) write_series_csv(dir + "/series.csv", t.series());
  write_series_plots(t, plots);
  for (const Raster& r : t.rasters()) write_svg(plots + "/" + file_name(r.name) + ".svg", r);
  for (const Traces& tr : t.traces())
    write_svg(plots + "/" + file_name(tr.name) + ".svg", plot_of(tr));
  for (const Image& i : t.images())
    if (!is_panel_state(i.name)) write_svg(plots + "/" + file_name(i.name) + ".svg", i);
}

namespace {

// The task's phases on the CLI's bars while run_to_end runs: inside a step (validation) on the
// run's bar, after its last line (the test pass) on a bar of their own that draws only when the
// pass takes more than a second or two.
class PhaseBars {
 public:
  PhaseBars(Task& task, ProgressBar& run_bar, const int64_t& steps) : task_(task) {
    task.listen_to_phases(
        [this, &run_bar, &steps](const std::string& phase, int64_t done, int64_t total) {
          last_ = phase + " " + std::to_string(done) + "/" + std::to_string(total);
          if (!after_run_) {
            const Telemetry& t = task_.telemetry();
            run_bar.update(t.progress, steps, t.status + "  " + last_);
            return;
          }
          if (!own_bar_) own_bar_.emplace(stderr, kQuietSeconds);
          own_bar_->update(double(done) / double(std::max<int64_t>(total, 1)), done, last_);
          done_ = done;
        });
  }
  ~PhaseBars() { task_.listen_to_phases(nullptr); }
  void run_ended() { after_run_ = true; }
  void finish() {
    if (own_bar_) own_bar_->finish(done_, last_);
  }

 private:
  static constexpr double kQuietSeconds = 2;
  Task& task_;
  bool after_run_ = false;
  std::optional<ProgressBar> own_bar_;
  std::string last_;
  int64_t done_ = 0;
};

}  // namespace

std::string run_to_end(Task& task, const RunContext& ctx, bool resumed) {
  ProgressBar bar;
  std::optional<TensorBoardLog> log;
  if (!ctx.out_dir.empty()) log.emplace(ctx.out_dir, task.telemetry(), resumed);
  int64_t steps = 0;
  std::optional<PhaseBars> phases;
  if (ctx.show_progress) phases.emplace(task, bar, steps);
  while (!task.done()) {
    task.step();
    ++steps;
    if (log) log->sync(task.telemetry());
    if (ctx.show_progress) bar.update(task.telemetry().progress, steps, task.telemetry().status);
  }
  if (ctx.show_progress) bar.finish(steps, task.telemetry().status);
  if (phases) phases->run_ended();
  std::string summary = task.finish();
  if (phases) phases->finish();
  if (log) log->sync(task.telemetry());
  if (!ctx.out_dir.empty()) write_telemetry(task.telemetry(), ctx.out_dir);
  return summary;
}

}  // namespace soma
