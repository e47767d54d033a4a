#include "tasks/cet/cet_demo.hpp"

#include <algorithm>
#include <sstream>

#include "core/autograd/grad_mode.hpp"
#include "core/credit/kernels.hpp"
#include "core/ops/ops.hpp"
#include "core/optim/adam.hpp"
#include "core/optim/clip.hpp"

namespace soma {
namespace {

// The two measures each learner is plotted by: its series is "<prefix><learner>", and the
// playground draws a measure's three learners on one plot named by the shared prefix.
struct Measure {
  const char *prefix, *label;
};
constexpr Measure kAccuracy{"test accuracy ", "test accuracy"};
constexpr Measure kCosine{"cosine to exact gradient, layer 1, ",
                          "cosine to exact gradient, layer 1"};

}  // namespace

Dataset cet_demo_patterns(int64_t n, float noise, uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.name = "cet-demo";
  d.channels = 1;
  d.height = d.width = 14;
  d.images.resize(static_cast<size_t>(n * 196));
  d.labels.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    const int c = int(rng.below(10));
    d.labels[size_t(i)] = c;
    const int r0 = 1 + (c / 5) * 6, c0 = 1 + (c % 5) * 2 + (c / 5);
    float* img = d.images.data() + i * 196;
    for (int p = 0; p < 196; ++p) img[p] = noise * rng.uniform();
    for (int r = r0; r < r0 + 4; ++r)
      for (int k = c0; k < c0 + 4; ++k) img[r * 14 + k] = std::min(1.0f, img[r * 14 + k] + 0.8f);
  }
  return d;
}

CetDemoTask::CetDemoTask() {
  table_.add_int("ssm_degree", 9, "the cascade's order minus one (9: CET(10))")
      .range(1, 30)
      .restart();
  table_.add_int("delay_factor", 12, "credit delay D in frames").range(1, 48).restart();
  table_.add_int("batch_size", 64, "frames per episode").range(16, 256).restart();
  table_.add_int("hidden_dim", 32, "hidden units per layer").range(4, 256).restart();
  table_.add_float("learning_rate", 3e-3, "AdamW learning rate")
      .range(1e-7, 10)
      .alias("lr")
      .restart();
  table_.add_float("noise", 0.9, "pixel noise amplitude").range(0, 2).restart();
  table_.add_int("training_steps", 600, "episodes").range(1, 100000).restart();
  table_.add_int("seed", 0, "random seed").min(0).restart();
}

void CetDemoTask::setup(const ParamValues& values, const RunContext&) {
  keep_values(values);
  telemetry_.clear();
  const uint64_t seed = uint64_t(values.get_int("seed"));
  const float noise = float(values.get_float("noise"));
  train_ = cet_demo_patterns(4000, noise, seed + 1);
  test_ = cet_demo_patterns(500, noise, seed + 2);
  frames_ = values.get_int("batch_size");
  steps_ = values.get_int("training_steps");
  step_ = 0;
  rng_ = Rng(seed);
  const int m = int(values.get_int("ssm_degree"));
  const int64_t D = std::min(values.get_int("delay_factor"), frames_ - 1);
  const std::vector<double> kernels[3] = {credit::trace_kernel(0, double(D), frames_),
                                          credit::trace_kernel(m, double(D), frames_),
                                          credit::impulse_kernel(D, frames_)};
  const std::string names[3] = {"ET", "CET(" + std::to_string(m + 1) + ")", "oracle"};
  learners_.clear();
  for (int k = 0; k < 3; ++k) {
    Rng init(seed + 7);  // the same initial weights for all three
    Learner l{names[k], make_cet_mlp(196, values.get_int("hidden_dim"), 10, false, init), nullptr};
    for (auto& r : l.net->rules) {
      *r = credit::behavioural_rule(kernels[k], credit::impulse_kernel(D, frames_), false);
      r->probe = true;
    }
    l.opt = std::make_unique<optim::AdamW>(
        l.net->parameters(),
        optim::AdamWOptions{.lr = float(values.get_float("learning_rate")), .weight_decay = 1e-3f});
    learners_.push_back(std::move(l));
  }
  // One chart per measure, the three learners' lines on it (ET's chart takes the others).
  for (int k = 0; k < 3; ++k)
    for (const Measure& m : {kAccuracy, kCosine})
      telemetry_.describe(m.prefix + names[k],
                          {"step", m.label, false, k > 0 ? m.prefix + names[0] : ""});
  // The kernels over lags, peak-normalised so all three fit one plot.
  Traces tr{"trace kernels (ET, CET, pure delay) over lag",
            frames_,
            3,
            {},
            {"ET", "CET", "pure delay"},
            "lag (frames)",
            "weight (peak = 1)"};
  for (int64_t t = 0; t < frames_; ++t)
    for (const auto& h : kernels)
      tr.values.push_back(float(h[size_t(t)] / h[size_t(credit::peak_lag(h))]));
  telemetry_.set(std::move(tr));
  evaluate();
}

void CetDemoTask::step() {
  if (done()) return;
  std::vector<int64_t> idx(static_cast<size_t>(frames_));
  for (auto& i : idx) i = int64_t(rng_.below(uint32_t(train_.size())));
  Tensor x = Tensor::uninitialized({frames_, 196}), target = Tensor::zeros({frames_, 10});
  for (int64_t t = 0; t < frames_; ++t) {
    std::copy(train_.image(idx[size_t(t)]), train_.image(idx[size_t(t)]) + 196, x.data() + t * 196);
    target.at({t, train_.labels[size_t(idx[size_t(t)])]}) = 1;
  }
  for (Learner& l : learners_) {
    l.opt->zero_grad();
    l.net->train();
    Tensor loss = neg(sum(log_softmax((*l.net)(x), 1) * target)) * (1.0f / float(frames_));
    loss.backward();
    optim::clip_grad_norm_(l.opt->params(), 0.5f);
    l.opt->step();
  }
  ++step_;
  if (step_ % 10 == 0 || done()) evaluate();
  telemetry_.progress = double(step_) / double(steps_);
}

void CetDemoTask::evaluate() {
  NoGrad ng;
  Tensor x = Tensor::from({test_.size(), 196}, test_.images);
  std::ostringstream status;
  status << "step " << step_;
  for (Learner& l : learners_) {
    l.net->eval();
    Tensor pred = argmax((*l.net)(x), 1);
    int64_t correct = 0;
    for (int64_t i = 0; i < test_.size(); ++i)
      correct += int(pred.data()[i]) == test_.labels[size_t(i)];
    const double acc = double(correct) / double(test_.size());
    telemetry_.add(kAccuracy.prefix + l.name, double(step_), acc);
    if (step_ > 0)
      telemetry_.add(kCosine.prefix + l.name, double(step_), l.net->rules[0]->similarity);
    status << "  " << l.name << " " << int(100 * acc + 0.5) << "%";
  }
  telemetry_.status = status.str();
}

}  // namespace soma
