#include "tasks/framework/run.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "tasks/framework/csv.hpp"
#include "tasks/framework/progress_bar.hpp"
#include "tasks/framework/svg_plot.hpp"

namespace soma {
namespace {

std::string file_name(const std::string& name) {
  std::string s;
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

LinePlot plot_of(const Traces& tr) {
  LinePlot p{tr.name, "time step", "value", false, {}};
  for (int64_t c = 0; c < std::min<int64_t>(tr.channels, 10); ++c) {
    PlotLine l{"#" + std::to_string(c), {}, {}, false};
    for (int64_t t = 0; t < tr.steps; ++t) {
      l.x.push_back(double(t));
      l.y.push_back(tr.values[size_t(t * tr.channels + c)]);
    }
    p.lines.push_back(std::move(l));
  }
  return p;
}

}  // namespace

void write_telemetry(const Telemetry& t, const std::string& dir) {
  const std::string plots = dir + "/plots";
  std::filesystem::create_directories(plots);
  if (!t.series().empty()) write_series_csv(dir + "/series.csv", t.series());
  for (const Series& s : t.series())
    if (s.x.size() > 1) write_svg(plots + "/" + file_name(s.name) + ".svg", plot_of(s, "step"));
  for (const Raster& r : t.rasters()) write_svg(plots + "/" + file_name(r.name) + ".svg", r);
  for (const Traces& tr : t.traces())
    write_svg(plots + "/" + file_name(tr.name) + ".svg", plot_of(tr));
  for (const Image& i : t.images()) write_svg(plots + "/" + file_name(i.name) + ".svg", i);
}

std::string run_to_end(Task& task, const RunContext& ctx) {
  ProgressBar bar;
  int64_t steps = 0;
  while (!task.done()) {
    task.step();
    ++steps;
    if (ctx.show_progress) bar.update(task.telemetry().progress, steps, task.telemetry().status);
  }
  if (ctx.show_progress) bar.finish(steps, task.telemetry().status);
  std::string summary = task.finish();
  if (!ctx.out_dir.empty()) write_telemetry(task.telemetry(), ctx.out_dir);
  return summary;
}

}  // namespace soma
