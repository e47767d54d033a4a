#include "tasks/dsqn/dsqn_stages.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"
#include "core/io/atomic_write.hpp"
#include "core/params/comma_list.hpp"
#include "tasks/dsqn/classifier.hpp"
#include "tasks/dsqn/conversion.hpp"
#include "tasks/dsqn/dqn_trainer.hpp"
#include "tasks/dsqn/dsqn_task.hpp"
#include "tasks/dsqn/pynn_export.hpp"

namespace soma {
namespace {

using namespace dsqn;

std::string out_path(const RunContext& ctx, const std::string& file) {
  return ctx.out_dir.empty() ? std::string() : ctx.out_dir + "/" + file;
}

const std::string& required(const ParamValues& v, const char* name, const char* stage) {
  const std::string& s = v.get_string(name);
  if (s.empty())
    throw std::invalid_argument(std::string("stage ") + stage + " needs --" + name + " FILE");
  return s;
}

SqnOptions sqn_options_of(const ParamValues& v) {
  SqnOptions o;
  o.steps = v.get_int("seq_length");
  o.reset = v.get_string("reset") == "zero" ? SqnReset::zero : SqnReset::subtract;
  return o;
}

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

// dqn / dsqn: Double DQN training, one episode per step.
class TrainStage : public DsqnStage {
 public:
  TrainStage(const ParamValues& v, const RunContext& ctx, bool spiking) : ctx_(ctx) {
    prefix_ = spiking ? "dsqn" : "dqn";
    Rng rng(uint64_t(v.get_int("seed")));
    std::shared_ptr<QNetwork> net;
    if (spiking)
      net = std::make_shared<SqnQNet>(rng, sqn_options_of(v));
    else
      net = std::make_shared<AnnQNet>(rng);
    DqnOptions o;
    o.episodes = v.get_int("episodes");
    o.max_steps = v.get_int("max_episode_steps");
    o.lr = v.get_float("learning_rate");
    o.gamma = v.get_float("gamma");
    o.batch = v.get_int("batch_size");
    o.replay = v.get_int("replay_size");
    o.target_every = v.get_int("target_every");
    o.seed = uint64_t(v.get_int("seed"));
    trainer_ = std::make_unique<DqnTrainer>(net, o);
    total_ = o.episodes;
  }
  void describe(Telemetry& t) const override {
    t.describe(DsqnKeys::episode_reward, {"episode", "reward (steps balanced)", false, ""});
    t.describe(DsqnKeys::mean_reward, {"episode", "mean reward", false, DsqnKeys::episode_reward});
    t.describe("epsilon", {"episode", "exploration rate", false, ""});
    t.describe("loss (last batch)", {"episode", "MSE loss", true, ""});
  }
  void step(Telemetry& t) override {
    const double r = trainer_->run_episode();
    const double e = double(trainer_->episode());
    t.add(DsqnKeys::episode_reward, e, r);
    t.add(DsqnKeys::mean_reward, e, trainer_->mean_last_100());
    t.add("epsilon", e, trainer_->epsilon());
    t.add("loss (last batch)", e, trainer_->last_loss());
    t.progress = done() ? 1.0 : e / double(total_);
    t.status = prefix_ + " episode " + std::to_string(trainer_->episode()) + "/" +
               std::to_string(total_) +
               fmt("  reward %.0f  mean100 %.1f  eps %.3f", r, trainer_->mean_last_100(),
                   trainer_->epsilon());
  }
  bool done() const override { return trainer_->done(); }
  std::string finish(Telemetry&) override {
    auto final_net = trainer_->policy().fresh_copy();
    auto trained = trainer_->trained() ? trainer_->trained() : final_net;
    std::map<std::string, std::string> meta{{"solved_at", std::to_string(trainer_->solved_at())},
                                            {"episodes", std::to_string(trainer_->episode())}};
    if (!ctx_.out_dir.empty()) {
      save_net(out_path(ctx_, prefix_ + ".safetensors"), *trained, meta);
      save_net(out_path(ctx_, prefix_ + "_final.safetensors"), *final_net, meta);
      if (trainer_->best())
        save_net(out_path(ctx_, prefix_ + "_best.safetensors"), *trainer_->best(), meta);
    }
    std::ostringstream o;
    if (trainer_->solved_at() >= 0)
      o << prefix_ << ": solved at episode " << trainer_->solved_at()
        << " (100-episode mean >= 195 for 100 episodes)";
    else
      o << prefix_ << ": not solved in " << trainer_->episode() << " episodes";
    o << fmt("; best 100-episode mean %.1f", trainer_->best_mean());
    return o.str();
  }

 private:
  RunContext ctx_;
  std::string prefix_;
  std::unique_ptr<DqnTrainer> trainer_;
  int64_t total_ = 0;
};

class ReplayStage : public DsqnStage {
 public:
  ReplayStage(const ParamValues& v, const RunContext& ctx) : ctx_(ctx) {
    NetFile f = load_net(required(v, "net", "replay"));
    RunnerOptions r = runner_options_of(v);
    collector_ =
        std::make_unique<ReplayCollector>(make_q_function(f, r), v.get_int("replay_set_size"),
                                          v.get_int("eval_max_steps"), uint64_t(v.get_int("seed")));
  }
  void step(Telemetry& t) override {
    collector_->run_episode();
    t.status = "replay: episode " + std::to_string(collector_->episodes());
    t.progress = done() ? 1 : 0.5;
  }
  bool done() const override { return collector_->done(); }
  std::string finish(Telemetry&) override {
    ReplaySet r = collector_->result();
    if (!ctx_.out_dir.empty()) save_replay(out_path(ctx_, "replay.safetensors"), r);
    int64_t ones = 0;
    for (int64_t i = 0; i < r.n; ++i) ones += r.label(i);
    return "replay set: " + std::to_string(r.n) + " states from " +
           std::to_string(collector_->episodes()) + " episodes, " +
           fmt("%.1f%% labelled 'right'", 100.0 * double(ones) / double(r.n));
  }

 private:
  RunContext ctx_;
  std::unique_ptr<ReplayCollector> collector_;
};

class ClassifierStage : public DsqnStage {
 public:
  ClassifierStage(const ParamValues& v, const RunContext& ctx) : ctx_(ctx) {
    data_ = load_replay(required(v, "replay", "classifier"));
    model_ = v.get_string("model");
    Rng rng(uint64_t(v.get_int("seed")));
    std::shared_ptr<QNetwork> net;
    if (model_ == "sqn")
      net = std::make_shared<SqnQNet>(rng, sqn_options_of(v));
    else
      net = std::make_shared<AnnQNet>(rng);
    ClassifierOptions o;
    o.iterations = v.get_int("iterations");
    o.batch = v.get_int("classifier_batch");
    o.lr = v.get_float("classifier_learning_rate");
    o.seed = uint64_t(v.get_int("seed"));
    trainer_ = std::make_unique<ClassifierTrainer>(net, data_, o);
    total_ = o.iterations;
  }
  void describe(Telemetry& t) const override {
    t.describe("loss", {"iteration", "cross-entropy (mean of 1000 batches)", false, ""});
  }
  void step(Telemetry& t) override {
    const double loss = trainer_->train(1000);
    const double it = double(trainer_->iteration());
    t.add("loss", it, loss);
    t.progress = it / double(total_);
    t.status = "classifier " + model_ + fmt(": iteration %.0f  loss %.4f", it, loss);
  }
  bool done() const override { return trainer_->done(); }
  std::string finish(Telemetry& t) override {
    const double acc = trainer_->accuracy();
    t.add("training accuracy", double(trainer_->iteration()), acc);
    if (!ctx_.out_dir.empty())
      save_net(out_path(ctx_, "classifier_" + model_ + ".safetensors"), trainer_->net(),
               {{"training_accuracy", std::to_string(acc)}});
    return "classifier " + model_ + fmt(": training accuracy %.2f%%", 100 * acc);
  }

 private:
  RunContext ctx_;
  ReplaySet data_;
  std::string model_;
  std::unique_ptr<ClassifierTrainer> trainer_;
  int64_t total_ = 0;
};

// Converts one ANN, or chooses among several (--net a,b,c): each candidate is converted and run
// in the simulator the flags describe on --check_states replay states, and the one whose argmax
// agrees most with its own ANN is kept. The replay states never see the environment, so the
// closed-loop evaluation afterwards stays an independent measurement. Why choose: the
// faithful NEST iaf conversion (reset to zero, >=, 1 ms delays) keeps 66-97% of a classifier's
// decisions depending on the training seed (20 classifiers on two CPUs, README), and the seed's
// notebook shipped a converted classifier from another, unnamed training run.
class ConvertStage : public DsqnStage {
 public:
  ConvertStage(const ParamValues& v, const RunContext& ctx)
      : ctx_(ctx),
        data_(load_replay(required(v, "replay", "convert"))),
        p_(v.get_float("percentile")),
        check_states_(v.get_int("check_states")),
        runner_(runner_options_of(v)) {
    for (const std::string& item : comma_list(required(v, "net", "convert")))
      if (!item.empty()) files_.push_back(item);
    if (files_.empty()) throw std::invalid_argument("convert: --net names no file");
    if (files_.size() > 1 && check_states_ <= 0)
      throw std::invalid_argument("convert: choosing among " + std::to_string(files_.size()) +
                                  " networks needs --check_states > 0");
    runner_.runner = "sim";
  }
  void step(Telemetry& t) override {
    const std::string& file = files_[next_];
    NetFile ann = load_net(file);
    if (ann.kind() != "ann")
      throw std::invalid_argument("convert: " + file + " is not an ann network");
    ConversionResult c = robust_normalise(ann.net, data_.states, p_);
    double agree = -1;
    if (check_states_ > 0) {
      NetFile conv{c.net, {{"kind", "converted"}}};
      agree = state_agreement(make_q_function(conv, runner_), make_q_function(ann, RunnerOptions{}),
                              data_.states, check_states_);
      report_ += file + fmt(": replay agreement %.2f%%\n", 100 * agree);
    }
    if (next_ == 0 || agree > best_agree_) best_ = c, best_agree_ = agree, best_file_ = file;
    ++next_;
    t.progress = double(next_) / double(files_.size());
  }
  bool done() const override { return next_ >= files_.size(); }
  std::string finish(Telemetry&) override {
    std::string lam;
    for (double l : best_.lambda) lam += (lam.empty() ? "" : ", ") + fmt("%.4f", l);
    NetFile f{best_.net,
              {{"kind", "converted"},
               {"lambda", lam},
               {"percentile", fmt("%g", p_)},
               {"source", best_file_}}};
    if (best_agree_ >= 0) f.meta["replay_agreement"] = fmt("%.4f", best_agree_);
    if (!ctx_.out_dir.empty()) save_net(out_path(ctx_, "converted.safetensors"), f);
    return report_ + "converted " + best_file_ + " (robust, p = " + fmt("%g", p_) +
           "): lambda = " + lam;
  }

 private:
  RunContext ctx_;
  ReplaySet data_;
  double p_;
  int64_t check_states_;
  RunnerOptions runner_;
  std::vector<std::string> files_;
  size_t next_ = 0;
  ConversionResult best_;
  double best_agree_ = -1;
  std::string best_file_, report_;
};

class EvaluateStage : public DsqnStage {
 public:
  EvaluateStage(const ParamValues& v, const RunContext& ctx) : ctx_(ctx) {
    tested_ = load_net(required(v, "net", "evaluate"));
    RunnerOptions r = runner_options_of(v);
    QFunction ref;
    if (!v.get_string("reference").empty()) {
      RunnerOptions rr;
      rr.sim = r.sim;
      ref = make_q_function(load_net(v.get_string("reference")), rr);
    }
    loop_ = std::make_unique<ClosedLoop>(make_q_function(tested_, r), ref,
                                         v.get_int("eval_max_steps"), uint64_t(v.get_int("seed")));
    episodes_ = v.get_int("eval_episodes");
    has_ref_ = bool(ref);
    config_ = describe(v);
  }
  static std::string describe(const ParamValues& v) {
    std::string s = "runner " + v.get_string("runner");
    s += ", sim " + v.get_string("sim_mode") + "/" + v.get_string("neuron") +
         fmt(", %g ms at h %g ms, delays %g", v.get_float("duration_ms"),
             v.get_float("resolution_ms"), v.get_float("input_delay_ms")) +
         fmt("/%g ms", v.get_float("layer_delay_ms")) + ", read-out " + v.get_string("readout") +
         ", iaf reset " + v.get_string("iaf_reset") +
         (v.get_bool("iaf_strict") ? " (>)" : " (>=)") +
         (v.get_bool("pp_threshold_offset") ? ", pp offset" : ", pp no offset");
    return s;
  }
  void describe(Telemetry& t) const override {
    t.describe(DsqnKeys::episode_reward, {"episode", "reward (steps balanced)", false, ""});
    if (has_ref_)
      t.describe(DsqnKeys::agreement, {"episode", "agreement (share of steps)", false, ""});
  }
  void step(Telemetry& t) override {
    const double r = loop_->run_episode();
    const EvalStats& s = loop_->stats();
    const double e = double(s.rewards.size());
    t.add(DsqnKeys::episode_reward, e, r);
    if (has_ref_) t.add(DsqnKeys::agreement, e, s.agreement());
    t.progress = e / double(episodes_);
    t.status = "evaluate episode " + std::to_string(s.rewards.size()) +
               fmt(": %.1f +- %.1f, agreement %.2f%%", s.mean(), s.stddev(), 100 * s.agreement());
  }
  bool done() const override { return int64_t(loop_->stats().rewards.size()) >= episodes_; }
  std::string finish(Telemetry&) override {
    const EvalStats& s = loop_->stats();
    std::string line = fmt("reward %.2f +- %.2f over ", s.mean(), s.stddev()) +
                       std::to_string(s.rewards.size()) + " episodes";
    if (has_ref_)
      line += fmt(", agreement %.2f%% (%.0f of %.0f steps)", 100 * s.agreement(),
                  double(s.agreements), double(s.steps));
    if (!ctx_.out_dir.empty()) {
      std::ostringstream j;
      j << "{\"mean\": " << s.mean() << ", \"std\": " << s.stddev()
        << ", \"episodes\": " << s.rewards.size() << ", \"steps\": " << s.steps
        << ", \"agreements\": " << s.agreements << ", \"agreement\": " << s.agreement()
        << ", \"config\": \"" << config_ << "\"}\n";
      write_file_atomic(out_path(ctx_, "results.json"), j.str());
    }
    return line + " [" + config_ + "]";
  }

 private:
  RunContext ctx_;
  NetFile tested_;
  std::unique_ptr<ClosedLoop> loop_;
  int64_t episodes_ = 100;
  bool has_ref_ = false;
  std::string config_;
};

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> v;
  for (const std::string& item : comma_list(s)) {
    try {
      size_t used = 0;
      v.push_back(std::stod(item, &used));
      if (used != item.size() && item.find_first_not_of(' ', used) != std::string::npos) throw 0;
    } catch (...) {
      throw std::invalid_argument("parameter 'pynn_input': '" + item + "' is not a number");
    }
  }
  return v;
}

class ExportStage : public DsqnStage {
 public:
  ExportStage(const ParamValues& v, const RunContext&) {
    net_ = load_net(required(v, "net", "export"));
    file_ = required(v, "export_pynn", "export");
    o_.input = parse_list(v.get_string("pynn_input"));
    auto bi = net_.meta.find("bias_input");
    if (bi != net_.meta.end() && bi->second == "1") o_.input.push_back(1.0);
    o_.duration_ms = v.get_float("duration_ms");
    o_.timestep_ms = v.get_float("resolution_ms");
    o_.delay_ms = v.get_float("layer_delay_ms");
  }
  void step(Telemetry& t) override {
    write_file_atomic(file_, pynn_script(net_.net, o_));
    done_ = true;
    t.progress = 1;
  }
  bool done() const override { return done_; }
  std::string finish(Telemetry&) override {
    return "PyNN script: " + file_ + " (python3 " + file_ + " brian2|nest)";
  }

 private:
  NetFile net_;
  std::string file_;
  PynnExportOptions o_;
  bool done_ = false;
};

// The demo: a trained spiking policy drives the cart, live.
class PlayStage : public DsqnStage {
 public:
  PlayStage(const ParamValues& v, const RunContext&) {
    std::string path = v.get_string("net");
    if (path.empty()) path = "assets/dsqn/dsqn.safetensors";
    NetFile f = load_net(path);
    if (f.kind() != "sqn") throw std::invalid_argument(path + ": play needs an sqn network");
    net_ = std::dynamic_pointer_cast<SqnQNet>(make_qnet(f));
    net_->record_spikes = true;
    env_ =
        std::make_unique<CartPole>(uint64_t(v.get_int("seed")), int(v.get_int("eval_max_steps")));
    episodes_ = v.get_int("eval_episodes");
    update(v);
    begin_episode();
  }
  void update(const ParamValues& v) override { chunk_ = v.get_int("chunk"); }
  void describe(Telemetry& t) const override {
    t.describe(DsqnKeys::episode_reward, {"episode", "reward (steps balanced)", false, ""});
  }
  void step(Telemetry& t) override {
    NoGrad ng;
    for (int64_t k = 0; k < chunk_ && !done(); ++k) {
      Tensor q = net_->q_values(obs_tensor({obs_}));
      const int a = argmax_first(q.data(), 2);
      CartPole::Step s = env_->step(a);
      obs_ = s.obs;
      ++reward_;
      q_.values.push_back(q.data()[0]);
      q_.values.push_back(q.data()[1]);
      ++q_.steps;
      trace_.values.push_back(float(obs_[0]));
      trace_.values.push_back(float(obs_[2]));
      ++trace_.steps;
      publish_spikes(t);
      if (s.done) {
        ++episode_;
        t.add(DsqnKeys::episode_reward, double(episode_), reward_);
        begin_episode();
      }
    }
    t.set(trace_);
    t.set(q_);
    t.progress = double(episode_) / double(episodes_);
    t.status = "episode " + std::to_string(episode_ + 1) + "  step " + std::to_string(int(reward_));
  }
  bool done() const override { return episode_ >= episodes_; }
  std::string finish(Telemetry& t) override {
    const Series* s = t.find_series(DsqnKeys::episode_reward);
    double sum = 0;
    if (s)
      for (double y : s->y) sum += y;
    return fmt("played %.0f episodes, mean reward %.1f", double(episode_),
               s ? sum / double(s->y.size()) : 0);
  }

 private:
  void begin_episode() {
    obs_ = env_->reset();
    reward_ = 0;
    trace_ =
        Traces{DsqnKeys::state,      0, 2, {}, {CartPole::kPositionLabel, CartPole::kAngleLabel},
               CartPole::kStepLabel, {}};
    q_ = Traces{DsqnKeys::q_values,         0, 2, {}, {"Q left", "Q right"}, CartPole::kStepLabel,
                "Q-value (expected return)"};
  }
  void publish_spikes(Telemetry& t) {
    const Tensors& z = net_->hidden_spikes;
    if (z.empty()) return;
    const int64_t T = z[0].size(0);
    int64_t n = 0;
    for (const Tensor& s : z) n += s.size(2);
    Raster r{DsqnKeys::spikes, T, n, std::vector<uint8_t>(size_t(T * n), 0)};
    int64_t off = 0;
    for (const Tensor& s : z) {
      const int64_t m = s.size(2);
      for (int64_t k = 0; k < T; ++k)
        for (int64_t j = 0; j < m; ++j) r.spikes[size_t(k * n + off + j)] = s.data()[k * m + j] > 0;
      off += m;
    }
    t.set(std::move(r));
  }
  std::shared_ptr<SqnQNet> net_;
  std::unique_ptr<CartPole> env_;
  CartPole::Observation obs_{};
  Traces trace_, q_;
  double reward_ = 0;
  int64_t episode_ = 0, episodes_ = 1, chunk_ = 1;
};

}  // namespace

RunnerOptions runner_options_of(const ParamValues& v) {
  RunnerOptions r;
  r.runner = v.get_string("runner");
  r.sqn_steps = v.get_int("sqn_steps");
  r.converted_reset = v.get_string("reset") == "zero" ? SqnReset::zero : SqnReset::subtract;
  sim::ClockSimOptions& s = r.sim;
  s.mode = sim::parse_sim_mode(v.get_string("sim_mode"));
  s.model = sim::parse_hidden_model(v.get_string("neuron"));
  s.duration_ms = v.get_float("duration_ms");
  s.resolution_ms = v.get_float("resolution_ms");
  s.input_delay_ms = v.get_float("input_delay_ms");
  s.layer_delay_ms = v.get_float("layer_delay_ms");
  s.readout = sim::parse_readout(v.get_string("readout"));
  s.iaf.subtract_reset = v.get_string("iaf_reset") == "subtract";
  s.iaf.strict = v.get_bool("iaf_strict");
  s.pp.E_sfa_initial = v.get_bool("pp_threshold_offset") ? 0.0 : 1.0;
  s.sqn_reset = r.converted_reset;
  s.seed = uint64_t(v.get_int("seed")) + 12345;
  return r;
}

std::unique_ptr<DsqnStage> make_dsqn_stage(const ParamValues& v, const RunContext& ctx) {
  const std::string& s = v.get_string("stage");
  if (s == "dqn") return std::make_unique<TrainStage>(v, ctx, false);
  if (s == "dsqn") return std::make_unique<TrainStage>(v, ctx, true);
  if (s == "replay") return std::make_unique<ReplayStage>(v, ctx);
  if (s == "classifier") return std::make_unique<ClassifierStage>(v, ctx);
  if (s == "convert") return std::make_unique<ConvertStage>(v, ctx);
  if (s == "evaluate") return std::make_unique<EvaluateStage>(v, ctx);
  if (s == "export") return std::make_unique<ExportStage>(v, ctx);
  if (s == "play") return std::make_unique<PlayStage>(v, ctx);
  throw std::invalid_argument("unknown stage '" + s + "'");
}

}  // namespace soma
