#include "tasks/correlation/correlation_task.hpp"

#include <cmath>
#include <sstream>

#include "core/encode/encoders.hpp"
#include "core/ops/ops.hpp"
#include "core/plasticity/correlation_update.hpp"
#include "core/random/rng.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "tasks/framework/progress_bar.hpp"

namespace soma {
namespace {

// A Linear(in, out)'s weight and bias as torch draws them: U(-1/sqrt(in), 1/sqrt(in)).
std::pair<Tensor, Tensor> linear_map(int64_t in, int64_t out, Rng& rng) {
  float k = 1.0f / std::sqrt(float(in));
  return {Tensor::rand({out, in}, rng, -k, k).requires_grad_(),
          Tensor::rand({out}, rng, -k, k).requires_grad_()};
}

}  // namespace

CorrelationTask::CorrelationTask() {
  table_.add_int("episodes", 100, "training episodes on the sample").min(1);
  table_.add_int("seq_length", 500, "time steps per episode").range(1, 100000).restart();
  table_.add_int("input_features", 100, "Poisson inputs").range(1, 10000).restart();
  table_.add_int("hidden_features", 8, "LIF neurons with correlation sensors")
      .range(1, 1000)
      .restart();
  table_.add_float("input_rate", 5, "input rate in Hz").range(0, 1000).restart();
  table_.add_float("plasticity_rate", 0.01, "step of the learned weight update").range(0, 10);
  table_.add_int("update_every", 10, "time steps between weight updates").min(1);
  table_.add_int("checkpoint_every", 10, "episodes between checkpoints (and at the end)").min(1);
  add_seed_param(table_, 42);
  add_device_param(table_);
  add_surrogate_params(table_);
  add_optimizer_params(table_, {.learning_rate = 0.1, .lr_step = 50, .unit = "episode"});
}

void CorrelationTask::setup(const ParamValues& v, const RunContext& ctx) {
  keep_values(v);
  ctx_ = ctx;
  Rng rng(uint64_t(v.get_int("seed")));
  const int64_t T = v.get_int("seq_length"), I = v.get_int("input_features");
  const int64_t H = v.get_int("hidden_features");
  x_ = poisson_encode(Tensor::ones({1, I}), T, rng, float(v.get_float("input_rate")));
  label_ = Tensor::from({1}, {float(rng.below(2))});
  p_.lif.surrogate = surrogate_of(v);
  w_in_ = Tensor::randn({H, I}, rng).requires_grad_();
  w_rec_ = Tensor::randn({H, H}, rng).requires_grad_();
  readout_ = nn::li_linear(H, 2, rng);
  std::tie(map_in_w_, map_in_b_) = linear_map(2 * H * I, H * I, rng);
  std::tie(map_rec_w_, map_rec_b_) = linear_map(2 * H * H, H * H, rng);
  trained_ = std::make_shared<nn::Module>();
  trained_->register_parameter("w_in", w_in_);
  trained_->register_parameter("w_rec", w_rec_);
  trained_->register_module("readout", readout_);
  trained_->register_parameter("map_in_weight", map_in_w_);
  trained_->register_parameter("map_in_bias", map_in_b_);
  trained_->register_parameter("map_rec_weight", map_rec_w_);
  trained_->register_parameter("map_rec_bias", map_rec_b_);
  opt_ = make_optimizer(v, trained_->parameters());
  schedule_ = make_schedule(v, v.get_int("episodes"));
  episode_ = 0;
  first_loss_ = last_loss_ = 0;
  metrics_.clear();
  telemetry_.clear();
  telemetry_.describe(CorrelationKeys::loss, {"episode", "loss (NLL)", false, {}, false});
}

void CorrelationTask::write_run_files() const {
  metrics_.write_csv(ctx_.out_dir + "/metrics.csv");
  save(ctx_.out_dir);
}

void CorrelationTask::save(const std::string& dir) const {
  Metadata meta{{"episode", std::to_string(episode_)}, {"first_loss", exact(first_loss_)}};
  write_record(meta, metrics_, telemetry_);
  save_checkpoint(dir, name(), *trained_, *opt_, std::move(meta));
}

void CorrelationTask::load(const std::string& dir) {
  Checkpoint c = read_checkpoint(dir, name());
  const int64_t episode = c.get_int("episode", 0);
  const double first = c.get_double("first_loss");
  MetricsTable metrics = metrics_;
  Telemetry restored = telemetry_;
  read_record(c, metrics, restored, 3, size_t(episode));
  c.restore(*trained_, *opt_);
  opt_->set_lr(float(values().get_float("learning_rate")));  // flags given on resume win
  episode_ = episode;
  first_loss_ = first;
  last_loss_ = metrics.rows().empty() ? 0 : metrics.rows().back()[1];
  metrics_ = std::move(metrics);
  telemetry_ = std::move(restored);
}

Tensor CorrelationTask::episode_loss() {
  const int64_t T = x_.size(0), H = w_in_.size(0);
  const float rate = float(values_->get_float("plasticity_rate"));
  const int every = int(values_->get_int("update_every"));
  LIFCorrelationState s = lif_correlation_initial_state(1, x_.size(2), H, p_);
  Tensor w_in = w_in_, w_rec = w_rec_;
  Tensors z;
  for (int64_t t = 0; t < T; ++t) {
    LIFCorrelationStep r = lif_correlation_step(select(x_, t), w_in, w_rec, s, p_);
    s = r.state;
    z.push_back(r.z);
    w_in = correlation_based_update(t, w_in, s.input, map_in_w_, map_in_b_, rate, every);
    w_rec = correlation_based_update(t, w_rec, s.recurrent, map_rec_w_, map_rec_b_, rate, every);
  }
  Tensor spikes = stack(z);  // (T, 1, H)
  Raster r{"hidden spikes", T, H, {}};
  for (int64_t i = 0; i < spikes.numel(); ++i) r.spikes.push_back(spikes.data()[i] > 0);
  telemetry_.set(std::move(r));
  telemetry_.set(Image{"input weights after the episode", H, x_.size(2), w_in.to_vector()});
  Tensor v = (*readout_)(spikes);
  return nll_loss(log_softmax(max_decode(v), 1), label_);
}

void CorrelationTask::step() {
  if (schedule_) schedule_->apply(*opt_, episode_);
  opt_->zero_grad();
  Tensor loss = episode_loss();
  loss.backward();
  clip_gradients(values(), *opt_, "episode " + std::to_string(episode_ + 1));
  opt_->step();
  last_loss_ = loss.item();
  if (episode_ == 0) first_loss_ = last_loss_;
  ++episode_;
  telemetry_.add(CorrelationKeys::loss, double(episode_), last_loss_);
  metrics_.add({double(episode_), last_loss_, double(opt_->lr())});
  int64_t total = values_->get_int("episodes");
  telemetry_.progress = double(episode_) / double(total);
  telemetry_.status = "episode " + std::to_string(episode_) + "/" + std::to_string(total) +
                      "  loss " + format_number(last_loss_);
  if (!ctx_.out_dir.empty() && episode_ % values().get_int("checkpoint_every") == 0)
    write_run_files();
}

bool CorrelationTask::done() const {
  return !values_ || episode_ >= values_->get_int("episodes");
}

std::string CorrelationTask::finish() {
  if (!ctx_.out_dir.empty()) write_run_files();
  std::ostringstream o;
  o << "loss " << format_number(first_loss_) << " -> " << format_number(last_loss_) << " after "
    << episode_ << " episodes";
  if (first_loss_ > 0)
    o << " (" << format_number(100 * (1 - last_loss_ / first_loss_)) << "% lower)";
  return o.str();
}

}  // namespace soma
