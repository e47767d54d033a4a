#include "tasks/neurons/neurons_task.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/neuron/izhikevich_presets.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/progress_bar.hpp"

namespace soma {

namespace {
// Steps kept in the voltage traces and the raster: the latest ones, so that single spikes stay
// visible (a LIF neuron at 250 Hz draws 125 spikes in 500 steps) and a long run's plots small.
constexpr int64_t kTraceSteps = 500, kRasterSteps = 2000;

// "lif 0.6, lif_box 2, ...": each model's top input at current_scale 1, for --help.
std::string ranges() {
  std::string s;
  for (const NeuronKind& k : neuron_kinds())
    s += (s.empty() ? "" : ", ") + std::string(k.name) + " " + format_number(k.current_max);
  return s;
}

// Appends `steps` rows of `width` values, keeping the last `keep` rows.
template <class T>
void append_window(std::vector<T>& rows, int64_t& count, int64_t width, const std::vector<T>& add,
                   int64_t steps, int64_t keep) {
  rows.insert(rows.end(), add.begin(), add.end());
  count += steps;
  if (count > keep) {
    rows.erase(rows.begin(), rows.begin() + (count - keep) * width);
    count = keep;
  }
}
}  // namespace

NeuronsTask::NeuronsTask() {
  table_.add_choice("model", "lif", neuron_kind_names(), "neuron model").restart();
  table_
      .add_choice("preset", "tonic_spiking", izhikevich_preset_names(),
                  "Izhikevich behaviour: its a, b, c, d and initial state (model izhikevich)")
      .restart();
  table_.add_int("neurons", 40, "neurons, each with its own constant input")
      .range(2, 2000)
      .restart();
  table_
      .add_float("current_scale", 1,
                 "the top input as a multiple of the model's own (" + ranges() + ")")
      .range(0, 100)
      .restart();
  table_.add_float("duration_ms", 1000, "simulated time (ms)").range(1, 1e6);
  table_.add_float("chunk_ms", 20, "simulated time per step (ms)").range(0.1, 1000);
  table_.add_float("noise", 0, "input noise per step, as a fraction of the top input").range(0, 10);
  add_seed_param(table_, 1);
}

void NeuronsTask::setup(const ParamValues& v, const RunContext&) {
  keep_values(v);
  const NeuronKind& kind = neuron_kind(v.get_string("model"));
  const int64_t n = v.get_int("neurons");
  pop_ = kind.make(n, v.get_string("preset"), step_ms_);
  top_ = kind.current_max * v.get_float("current_scale");
  rng_ = Rng(uint64_t(v.get_int("seed")));
  inputs_.assign(size_t(n), 0.0f);
  for (int64_t k = 0; k < n; ++k) inputs_[size_t(k)] = float(top_ * double(k) / double(n - 1));
  counts_.assign(size_t(n), 0);
  traced_ = {n / 4, n / 2, n - 1};
  steps_ = 0;
  std::ostringstream unit;
  unit << "time step (" << step_ms_ << " ms)";
  voltage_ = Traces{NeuronsKeys::voltage, 0, 3, {}, {}, unit.str(), kind.voltage};
  for (int64_t k : traced_) voltage_.labels.push_back("x = " + format_number(inputs_[size_t(k)]));
  extra_ = Traces{};
  if (kind.extra)
    extra_ = Traces{
        std::string("state ") + kind.extra, 0, 3, {}, voltage_.labels, unit.str(), kind.extra};
  raster_ = Raster{NeuronsKeys::spikes, 0, n, {}};
  telemetry_.clear();
  telemetry_.describe(NeuronsKeys::rate, {kind.input, "firing rate (Hz)", false, {}, false});
}

void NeuronsTask::step() {
  const int64_t left = int64_t(std::ceil(values().get_float("duration_ms") / step_ms_)) - steps_;
  const int64_t T =
      std::clamp<int64_t>(int64_t(std::lround(values().get_float("chunk_ms") / step_ms_)), 1,
                          std::max<int64_t>(left, 1));
  const int64_t n = int64_t(inputs_.size());
  Tensor x = Tensor::uninitialized({T, n});
  const float sigma = float(values().get_float("noise") * top_);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t k = 0; k < n; ++k)
      x.data()[t * n + k] = inputs_[size_t(k)] + (sigma > 0 ? sigma * rng_.normal() : 0.0f);
  publish(pop_->run(x));
}

void NeuronsTask::publish(const PopulationChunk& c) {
  const int64_t T = c.z.size(0), n = c.z.size(1);
  std::vector<uint8_t> spikes(size_t(T * n));
  std::vector<float> volts, extra;
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t k = 0; k < n; ++k) {
      const bool s = c.z.data()[t * n + k] > 0;
      spikes[size_t(t * n + k)] = s;
      counts_[size_t(k)] += s;
    }
    for (int64_t k : traced_) {
      volts.push_back(c.v.data()[t * n + k]);
      if (c.extra.defined()) extra.push_back(c.extra.data()[t * n + k]);
    }
  }
  steps_ += T;
  append_window(raster_.spikes, raster_.steps, n, spikes, T, kRasterSteps);
  append_window(voltage_.values, voltage_.steps, 3, volts, T, kTraceSteps);
  telemetry_.set(raster_);
  telemetry_.set(voltage_);
  if (c.extra.defined()) {
    append_window(extra_.values, extra_.steps, 3, extra, T, kTraceSteps);
    telemetry_.set(extra_);
  }
  const double now = elapsed_ms(), duration = values().get_float("duration_ms");
  std::vector<double> xs(inputs_.begin(), inputs_.end()), rates;
  for (int64_t count : counts_) rates.push_back(double(count) * 1000 / now);
  telemetry_.set_points(NeuronsKeys::rate, xs, rates);
  telemetry_.progress = std::min(1.0, now / duration);
  telemetry_.status = "t = " + format_number(now) + " / " + format_number(duration) +
                      " ms  top rate " + format_number(rates.back()) + " Hz";
}

bool NeuronsTask::done() const {
  return !has_values() || elapsed_ms() >= values().get_float("duration_ms") - 1e-9 * step_ms_;
}

std::string NeuronsTask::finish() {
  // The rheobase as the sweep resolves it: between the last silent input and the first firing.
  size_t first = 0;
  while (first < counts_.size() && counts_[first] == 0) ++first;
  std::ostringstream o;
  const NeuronKind& kind = neuron_kind(values().get_string("model"));
  o << kind.name << " (" << kind.about << "): ";
  if (first == counts_.size()) {
    o << "silent up to x = " << format_number(inputs_.back());
  } else {
    if (first > 0)
      o << "fires from x = " << format_number(inputs_[first]) << " (silent at "
        << format_number(inputs_[first - 1]) << "), ";
    o << format_number(double(counts_.back()) * 1000 / elapsed_ms())
      << " Hz at x = " << format_number(inputs_.back());
  }
  return o.str();
}

}  // namespace soma
