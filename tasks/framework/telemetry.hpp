#pragma once
// What a task publishes while it runs, as plain data: named scalar series (loss, accuracy,
// reward, angles), spike rasters, voltage traces and 2-D images. The CLI prints it and writes it
// to the run folder; the GUI and the web page draw the same data live. Nothing here knows about
// a particular task or a particular front end.
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/tfevents.hpp"

namespace soma {

// How a series is plotted in the run folder (and labelled in the GUI).
struct SeriesStyle {
  std::string x_label;   // "epoch", "episode", "simulated time (s)"; empty: "step"
  std::string y_label;   // with its unit: "angle (deg)"; empty: the series' name
  bool smooth = false;   // noisy (per batch): drawn faint, with a moving average over it
  std::string overlay;   // drawn on the named series' plot instead of a plot of its own
  bool no_plot = false;  // series.csv only: the task writes its own plots of it
};

// y against x (x: the step, episode or epoch the value belongs to).
struct Series {
  std::string name;
  std::vector<double> x, y;
  SeriesStyle style;
  double last() const { return y.empty() ? 0.0 : y.back(); }
};

// Spikes of one sample: steps x neurons, row-major, 0 or 1.
struct Raster {
  std::string name;
  int64_t steps = 0, neurons = 0;
  std::vector<uint8_t> spikes;
};

// Continuous values over time (membrane voltages): steps x channels, row-major.
struct Traces {
  std::string name;
  int64_t steps = 0, channels = 0;
  std::vector<float> values;
  std::vector<std::string> labels;  // per channel, with its unit; empty: "#0", "#1", ...
  std::string x_label;              // empty: "time step"
  std::string y_label;              // with its unit; empty: the one channel's label, or "value"
};

// A picture (a weight matrix, an input digit): rows x cols, row-major.
struct Image {
  std::string name;
  int64_t rows = 0, cols = 0;
  std::vector<float> values;
};

// The distribution of a tensor's values at a step (weights, gradients), for the run folder's
// TensorBoard log; a new step under the same name is a new histogram there.
struct Histogram {
  std::string name;
  int64_t step = 0;
  HistogramSummary summary;
};

// Items whose name starts with this are live state for a task's own panel (the microcircuit
// diagram's potentials and weights): the run folder gets no plot of them, and the GUI draws
// only their matrices as heat maps.
inline constexpr const char* kPanelStatePrefix = "state/";
inline bool is_panel_state(const std::string& name) {
  return name.rfind(kPanelStatePrefix, 0) == 0;
}

class Telemetry {
 public:
  // Appends (x, y) to the named series, creating it on first use (kept in creation order).
  void add(const std::string& series, double x, double y);
  // Replaces the points of the named series (creating it), keeping its style.
  void set_points(const std::string& series, std::vector<double> x, std::vector<double> y);
  // Sets how the named series is plotted, creating it (empty) if needed.
  void describe(const std::string& series, SeriesStyle style);
  const Series* find_series(const std::string& name) const;
  const Image* find_image(const std::string& name) const;
  const Traces* find_traces(const std::string& name) const;
  const std::vector<Series>& series() const { return series_; }

  // Replace the named item (or add it).
  void set(Raster r);
  void set(Traces t);
  void set(Image i);
  void set(Histogram h);
  const std::vector<Raster>& rasters() const { return rasters_; }
  const std::vector<Traces>& traces() const { return traces_; }
  const std::vector<Image>& images() const { return images_; }
  const std::vector<Histogram>& histograms() const { return histograms_; }

  // One line for progress displays ("epoch 2/5  loss 0.31  acc 91.2%"), and overall progress in
  // [0, 1] for progress bars and ETAs.
  std::string status;
  double progress = 0;

  void clear();

 private:
  Series& series_named(const std::string& name);
  std::vector<Series> series_;
  std::vector<Raster> rasters_;
  std::vector<Traces> traces_;
  std::vector<Image> images_;
  std::vector<Histogram> histograms_;
};

}  // namespace soma
