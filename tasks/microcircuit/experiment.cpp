#include "tasks/microcircuit/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#include "tasks/microcircuit/angles.hpp"

namespace soma::mc {

TaskKind task_from_name(const std::string& name) {
  if (name == "bw_only") return TaskKind::bw_only;
  if (name == "fw_bw") return TaskKind::fw_bw;
  throw std::invalid_argument("unknown microcircuit task '" + name + "' (bw_only, fw_bw)");
}

const char* task_name(TaskKind t) {
  return t == TaskKind::bw_only ? "bw_only" : "fw_bw";
}

Experiment::Experiment(McParams p, TaskKind task)
    : params_(std::make_unique<const McParams>(std::move(p))), task_(task) {
  const McParams& P = *params_;
  steps_per_sample_ = std::max<int64_t>(1, std::llround(P.Tpres / P.dt));
  epoch_steps_ = steps_per_sample_ * P.dataset_size;
  settle_steps_ = std::llround(P.settling_time / P.dt);
  uint64_t input_seed = P.random_seed.front();
  if (task_ == TaskKind::fw_bw) {
    Rng pick(P.random_seed.front());
    const uint64_t teacher_seed = 100000 + pick.below(900000);
    Rng rng(teacher_seed);
    teacher_ = make_model(P, rng, true);
    input_seed = teacher_seed;
  }
  Rng in_rng(input_seed ^ 0x9e3779b97f4a7c15ULL);  // not the init stream of the same seed
  for (int64_t s = 0; s < P.dataset_size; ++s) {
    Vec r(P.layers[0]);
    for (auto& v : r) v = in_rng.uniform();
    inputs_.push_back(r);
  }
  if (teacher_) make_teacher_targets();
  for (uint64_t seed : P.random_seed) {
    SeedRun r;
    r.seed = seed;
    Rng rng(seed);
    r.model = make_model(P, rng);
    r.rng = rng.split();
    if (teacher_ && P.copy_teacher_weights) {
      r.model.W = teacher_->W;
      r.model.WIP = teacher_->WIP;
      r.model.B = teacher_->B;
      r.model.BI = teacher_->BI;
    }
    if (teacher_ && P.copy_teacher_voltages) {
      r.model.uP = r.model.uP_old = teacher_->uP;
      r.model.uI = r.model.uI_old = teacher_->uI;
    }
    for (int k = 0; k < r.model.c.nhid; ++k) r.initial_angle.push_back(angle_B_WT(r.model, k));
    r.rec.angle.resize(size_t(r.model.c.nhid));
    r.rec.angle_phi.resize(size_t(r.model.c.nhid));
    runs_.push_back(std::move(r));
  }
  // Models hold a pointer to the params, which live at a stable address in params_.
}

void Experiment::make_teacher_targets() {
  Model& t = *teacher_;
  Rng rng(0);  // unused: the teacher has no noise rule applied without learning
  for (int64_t s = 0; s < settle_steps_; ++s) step(t, inputs_[0], nullptr, false, rng);
  targets_.reserve(size_t(epoch_steps_));
  for (int64_t s = 0; s < epoch_steps_; ++s) {
    targets_.push_back(t.uP_breve.back());
    step(t, inputs_[size_t(s / steps_per_sample_)], nullptr, false, rng);
  }
}

void Experiment::advance_one(SeedRun& r, int64_t n) const {
  const int64_t end = std::min(total_steps(), r.steps + n);
  const bool fw = task_ == TaskKind::fw_bw;
  for (int64_t s = r.steps; s < end; ++s) {
    if (s < settle_steps_) {
      step(r.model, inputs_[0], fw ? &targets_[0] : nullptr, false, r.rng);
      continue;
    }
    const int64_t t = s - settle_steps_;
    const int64_t e = t % epoch_steps_;
    const Vec* tgt = fw ? &targets_[size_t(e)] : nullptr;
    step(r.model, inputs_[size_t(e / steps_per_sample_)], tgt, true, r.rng);
    if ((t + 1) % params_->rec_per_steps == 0) record(r, tgt, t + 1);
  }
  r.steps = end;
}

void Experiment::advance(int64_t n) {
#ifdef __EMSCRIPTEN__
  for (SeedRun& r : runs_) advance_one(r, n);
#else
  const size_t threads =
      std::min<size_t>(runs_.size(), std::max(1u, std::thread::hardware_concurrency()));
  if (threads <= 1) {
    for (SeedRun& r : runs_) advance_one(r, n);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([this, t, threads, n] {
      for (size_t i = t; i < runs_.size(); i += threads) advance_one(runs_[i], n);
    });
  for (std::thread& th : pool) th.join();
#endif
}

namespace {

void push(Recording& rec, const std::string& name, const double* v, size_t n) {
  auto& series = rec.traces[name];
  series.resize(n);
  for (size_t i = 0; i < n; ++i) series[i].push_back(v[i]);
}

void push(Recording& rec, const std::string& name, const Vec& v) {
  push(rec, name, v.data(), size_t(v.size()));
}

void push(Recording& rec, const std::string& name, const Mat& m) {
  auto& series = rec.traces[name];
  series.resize(size_t(m.size()));
  size_t e = 0;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) series[e++].push_back(m(i, j));
}

template <class T>
void push_layers(Recording& rec, const McParams& p, const std::string& name,
                 const std::vector<T>& xs, int offset = 1) {
  if (!p.records(name)) return;
  for (size_t k = 0; k < xs.size(); ++k)
    push(rec, name + "_layer" + std::to_string(int(k) + offset), xs[k]);
}

}  // namespace

void Experiment::record(SeedRun& r, const Vec* tgt, int64_t t) const {
  const McParams& p = *params_;
  const Model& m = r.model;
  Recording& rec = r.rec;
  rec.t_ms.push_back(double(t) * p.dt);
  if (tgt) rec.mse.push_back((m.uP_breve.back() - *tgt).squaredNorm());
  for (int k = 0; k < m.c.nhid; ++k) {
    rec.angle[size_t(k)].push_back(angle_B_WT(m, k));
    rec.angle_phi[size_t(k)].push_back(angle_B_weighted(m, k));
  }
  push_layers(rec, p, "WPP", m.W);
  push_layers(rec, p, "WIP", m.WIP);
  push_layers(rec, p, "BPP", m.B);
  push_layers(rec, p, "BPI", m.BI);
  push_layers(rec, p, "uP", m.uP);
  push_layers(rec, p, "uP_breve", m.uP_breve);
  push_layers(rec, p, "rP_breve", m.rP);
  push_layers(rec, p, "rP_breve_HI", m.rHI);
  push_layers(rec, p, "uI", m.uI);
  push_layers(rec, p, "uI_breve", m.uI_breve);
  push_layers(rec, p, "rI_breve", m.rI);
  push_layers(rec, p, "vapi", m.vapi);
  push_layers(rec, p, "noise", m.xi);
  if (p.records("vapi_noise"))
    for (size_t k = 0; k < m.vapi.size(); ++k)
      push(rec, "vapi_noise_layer" + std::to_string(k + 1), Vec(m.vapi[k] + m.xi[k]));
  if (p.records("epsilon")) push(rec, "epsilon", m.eps.data(), m.eps.size());
  if (p.records("epsilon_LO")) push(rec, "epsilon_LO", m.eps_lo.data(), m.eps_lo.size());
}

}  // namespace soma::mc
