#include "tasks/neurons/izhikevich_task.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/izhikevich_presets.hpp"
#include "tasks/framework/progress_bar.hpp"

namespace soma {

namespace {
constexpr const char* kRate = "instantaneous rate";
}  // namespace

IzhikevichTask::IzhikevichTask() {
  table_
      .add_choice("preset", "tonic_spiking", izhikevich_preset_names(),
                  "behaviour (figure 1 panel)")
      .restart();
  table_.add_float("chunk_ms", 5, "simulated time per step (ms)").range(0.1, 1000);
  table_.add_bool("repeat", false, "start the panel again when it ends (run until stopped)");
}

void IzhikevichTask::setup(const ParamValues& v, const RunContext&) {
  keep_values(v);
  preset_ = &izhikevich_preset(v.get_string("preset"));
  passes_ = 0;
  telemetry_.clear();
  telemetry_.describe(kRate, {"time (ms)", "rate (Hz)", false, {}, false});
  start_panel();
}

void IzhikevichTask::start_panel() {
  std::ostringstream x;
  x << "time step (" << preset_->step_ms() << " ms)";
  v_ = Traces{"membrane potential", 0, 1, {}, {"v (mV)"}, x.str(), "v (mV)"};
  input_ = Traces{"input current", 0, 1, {}, {"I"}, x.str(), "I"};
  state_ = izhikevich_preset_state(*preset_);
  spikes_ms_.clear();
  step_ = 0;
}

void IzhikevichTask::step() {
  if (step_ >= preset_->steps()) {
    if (!values().get_bool("repeat")) return;
    ++passes_;
    start_panel();
  }
  NoGrad ng;
  const int64_t n =
      std::clamp<int64_t>(int64_t(std::lround(values().get_float("chunk_ms") / preset_->step_ms())),
                          1, preset_->steps() - step_);
  // The panel's input at steps step_ .. step_ + n - 1 (its time grid k * step_ms).
  Tensor x = Tensor::uninitialized({n, 1});
  for (int64_t k = 0; k < n; ++k)
    x.data()[k] = preset_->current(float(step_ + k) * preset_->step_ms());
  Sequence<IzhikevichState> r = izhikevich_sequence(x, state_, preset_->p, true);
  state_ = r.state;
  for (int64_t k = 0; k < n; ++k) {
    const double t = double(step_ + k) * preset_->step_ms();
    v_.values.push_back(r.states.v.data()[k]);
    input_.values.push_back(x.data()[k]);
    if (r.z.data()[k] <= 0) continue;
    // Plotted against the time since the first pass, so that repeats extend the curve.
    const double since_start = double(passes_ * preset_->steps()) * preset_->step_ms() + t;
    if (!spikes_ms_.empty()) telemetry_.add(kRate, since_start, 1000 / (t - spikes_ms_.back()));
    spikes_ms_.push_back(t);
  }
  step_ += n;
  v_.steps = input_.steps = step_;
  telemetry_.set(v_);
  telemetry_.set(input_);
  telemetry_.progress = double(step_) / double(preset_->steps());
  telemetry_.status = std::string(preset_->name) +
                      ": t = " + format_number(double(step_) * preset_->step_ms()) + " / " +
                      format_number(preset_->duration_ms) + " ms, " +
                      std::to_string(spikes_ms_.size()) + " spikes";
}

bool IzhikevichTask::done() const {
  return !has_values() || (step_ >= preset_->steps() && !values().get_bool("repeat"));
}

std::string IzhikevichTask::finish() {
  std::ostringstream o;
  o << preset_->name << ": " << spikes_ms_.size() << " spikes in "
    << format_number(preset_->duration_ms) << " ms";
  if (!spikes_ms_.empty()) o << ", the first at " << format_number(spikes_ms_.front()) << " ms";
  return o.str();
}

}  // namespace soma
