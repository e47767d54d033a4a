#include "tasks/microcircuit/microcircuit_task.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "tasks/microcircuit/output.hpp"
#include "tasks/microcircuit/params.hpp"

namespace soma {

MicrocircuitTask::MicrocircuitTask() {
  table_.add_choice("task", "fw_bw", {"bw_only", "fw_bw"}, "experiment: learn B only, or W and B")
      .restart();
  table_.add_string("params_file", "", "the seed-format params.json (empty: the seed template)")
      .restart();
  table_.add_string("load", "", "a model.json to re-plot instead of simulating").restart();
  table_.add_float("chunk_ms", 10, "simulated time per step (ms)").range(0.01, 1e6);
  table_
      .add_bool("beside_params", false,
                "write the outputs beside the params file (or model.json), as the seed's runner "
                "did, instead of runs/microcircuit-<time>")
      .restart();
}

void MicrocircuitTask::apply_params_file(ParamValues& values, const std::string& path) const {
  mc::load_params_file(path);  // throws a ParamError naming the file and key
  values.set_string("params_file", path);
}

void MicrocircuitTask::setup(const ParamValues& v, const RunContext& ctx) {
  telemetry_.clear();
  exp_.reset();
  published_ = 0;
  load_path_ = v.get_string("load");
  out_dir_ = ctx.out_dir;
  beside_params_ = v.get_bool("beside_params");
  if (!load_path_.empty()) return;
  const std::string& file = v.get_string("params_file");
  mc::McParams p = file.empty() ? mc::McParams{} : mc::load_params_file(file);
  chunk_steps_ = std::max<int64_t>(1, std::llround(v.get_float("chunk_ms") / p.dt));
  exp_ = std::make_unique<mc::Experiment>(std::move(p), mc::task_from_name(v.get_string("task")));
}

void MicrocircuitTask::step() {
  if (!exp_ || exp_->done()) return;
  exp_->advance(chunk_steps_);
  publish();
  check_finite();
}

// A diverged run (gl < 0, eta_fw 1e300) is a failed run: exit 1 with the seed and the time, not
// "MSE -nan" and exit 0. The somatic potentials carry every NaN or infinity within a step.
void MicrocircuitTask::check_finite() const {
  for (const mc::SeedRun& r : exp_->runs()) {
    bool finite = true;
    for (const mc::Vec& u : r.model.uP) finite = finite && u.allFinite();
    for (const mc::Mat& w : r.model.W) finite = finite && w.allFinite();
    if (finite && (r.rec.mse.empty() || std::isfinite(r.rec.mse.back()))) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "seed %llu diverged (NaN or infinite values) by t = %.3f s",
                  (unsigned long long)r.seed, double(r.steps) * exp_->params().dt / 1000);
    throw std::runtime_error(std::string(buf) +
                             "; try smaller learning rates (eta_*), a smaller dt, positive "
                             "conductances");
  }
}

void MicrocircuitTask::update_params(const ParamValues& v) {
  if (exp_)
    chunk_steps_ = std::max<int64_t>(1, std::llround(v.get_float("chunk_ms") / exp_->params().dt));
}

void MicrocircuitTask::publish_state() {
  const mc::Model& m = exp_->runs().front().model;
  auto vec = [&](const std::string& name, const mc::Vec& v) {
    telemetry_.set(Image{name, 1, v.size(), std::vector<float>(v.data(), v.data() + v.size())});
  };
  auto mat = [&](const std::string& name, const mc::Mat& a) {
    Image img{name, a.rows(), a.cols(), {}};
    for (int64_t r = 0; r < a.rows(); ++r)
      for (int64_t c = 0; c < a.cols(); ++c) img.values.push_back(float(a(r, c)));
    telemetry_.set(std::move(img));
  };
  for (size_t k = 0; k < m.uP.size(); ++k) {
    using K = MicrocircuitKeys;
    vec(K::soma(k + 1), m.uP[k]);
    vec(K::basal(k + 1), m.vbas[k]);
    if (k < m.vapi.size()) vec(K::apical(k + 1), m.vapi[k]);
    mat(K::forward_weights(k + 1), m.W[k]);
    if (k < m.B.size()) mat(K::backward_weights(k + 1), m.B[k]);
  }
  for (size_t j = 0; j < m.uI.size(); ++j) {
    vec(MicrocircuitKeys::inter_soma(j + 1), m.uI[j]);
    vec(MicrocircuitKeys::inter_dendrite(j + 1), m.vden[j]);
  }
}

void MicrocircuitTask::publish() {
  const auto& runs = exp_->runs();
  const mc::Recording& r0 = runs.front().rec;
  for (size_t i = published_; i < r0.t_ms.size(); ++i) {
    const double x = r0.t_ms[i] / 1000;
    if (!r0.mse.empty()) {
      if (i == 0)
        telemetry_.describe(MicrocircuitKeys::mse,
                            {"simulated time (s)", "MSE (seed mean)", false, "", true});
      double sum = 0;
      for (const auto& r : runs) sum += r.rec.mse[i];
      telemetry_.add(MicrocircuitKeys::mse, x, sum / double(runs.size()));
    }
    for (size_t k = 0; k < r0.angle.size(); ++k) {
      if (i == 0)  // the run folder gets the per-seed plots of output.cpp instead
        telemetry_.describe(MicrocircuitKeys::angle(k + 1),
                            {"simulated time (s)", "angle (deg)", false, "", true});
      double sum = 0;
      for (const auto& r : runs) sum += r.rec.angle[k][i];
      telemetry_.add(MicrocircuitKeys::angle(k + 1), x, sum / double(runs.size()));
      // Per seed as well: the mean of 0 and 180 deg (1-1-1 networks) reads as a false 90.
      for (size_t j = 0; runs.size() > 1 && j < runs.size(); ++j) {
        const std::string name = MicrocircuitKeys::angle_of_seed(k + 1, j + 1);
        if (i == 0)
          telemetry_.describe(name, {"simulated time (s)", "angle (deg)", false,
                                     MicrocircuitKeys::angle(k + 1), true});
        telemetry_.add(name, x, runs[j].rec.angle[k][i]);
      }
    }
  }
  published_ = r0.t_ms.size();
  publish_state();
  telemetry_.progress =
      double(exp_->steps_done()) / double(std::max<int64_t>(1, exp_->total_steps()));
  char buf[96];
  std::snprintf(buf, sizeof buf, "t = %.3f s of %.3f s",
                double(exp_->steps_done()) * exp_->params().dt / 1000,
                double(exp_->total_steps()) * exp_->params().dt / 1000);
  telemetry_.status = buf;
}

bool MicrocircuitTask::done() const {
  return !exp_ || exp_->done();
}

// runs/microcircuit-<time> unless --beside_params: then the params file's (or model.json's)
// folder, which for a file under assets/ would dirty the repository with ~8 MB.
std::string MicrocircuitTask::default_run_folder(const ParamValues& v) const {
  if (!v.get_bool("beside_params")) return {};
  const std::string& file = v.get_string(v.get_string("load").empty() ? "params_file" : "load");
  if (file.empty()) return {};
  const auto parent = std::filesystem::path(file).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::string MicrocircuitTask::finish() {
  if (!load_path_.empty())
    return mc::replot_from_file(load_path_, beside_params_ ? std::string() : out_dir_);
  if (!exp_) return {};
  if (!out_dir_.empty()) {
    mc::write_outputs(*exp_, out_dir_);
    return "wrote " + out_dir_ + "/model.json; " + mc::summarize(mc::to_json(*exp_));
  }
  return mc::summarize(mc::to_json(*exp_));
}

std::string microcircuit_replot(const std::string& path) {
  return mc::replot_from_file(path);
}

}  // namespace soma
