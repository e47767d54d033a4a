#pragma once
// `cet-demo` (the browser demo): why a cascade helps when credit comes late. Three copies of a
// small MLP (196 -> hidden -> hidden -> 10) learn the same stream of synthetic 14 x 14 patterns,
// an episode of `batch_size` frames per step, with every layer's credit `delay_factor` frames
// late; they differ only in the eligibility trace the late credit meets:
//   ET       exp(-t / D): most weight on the newest frames, the wrong ones;
//   CET(n)   n cascaded leaky stages, peaked at lag D (order from ssm_degree + 1);
//   oracle   a pure delay at D: the exact gradient of the frames whose credit arrives.
// Published: the three kernels (traces "trace kernels": ET, CET(n), pure delay over lags) and
// each learner's test accuracy and cosine to the exact gradient (first layer) every 10 steps.
#include <memory>

#include "core/data/dataset.hpp"
#include "core/optim/optimizer.hpp"
#include "tasks/cet/cet_models.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

// Ten classes of 14 x 14 images: class c lights a 4 x 4 block at one of ten positions, over
// uniform noise of amplitude `noise`; pixels in [0, 1].
Dataset cet_demo_patterns(int64_t n, float noise, uint64_t seed);

class CetDemoTask : public Task {
 public:
  CetDemoTask();
  std::string name() const override { return "cet-demo"; }
  std::string description() const override {
    return "delayed credit: ET vs cascading eligibility trace vs oracle on a small MLP";
  }
  // On the web page with its defaults: one step (three 64-frame episodes) takes about a ms.
  std::optional<std::string> web_query() const override { return ""; }
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override { return step_ >= steps_; }

 private:
  struct Learner {
    std::string name;
    std::shared_ptr<CetNet> net;
    std::unique_ptr<optim::Optimizer> opt;
  };
  void evaluate();
  Dataset train_, test_;
  std::vector<Learner> learners_;
  Rng rng_{0};
  int64_t step_ = 0, steps_ = 0, frames_ = 0;
};

}  // namespace soma
