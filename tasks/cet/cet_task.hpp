#pragma once
// `soma cet`: learning with delayed credit through (cascading) eligibility traces, after
// "Learning From the Past with Cascading Eligibility Traces" (ICLR 2026); cet.md has the
// reference's protocols, flags and numbers.
//
// behavioural (btsp_experiments.py): each step is one episode of B = 128 frames (one image per
// 200 ms) with frozen weights; every layer's credit arrives delay_factor frames late and meets
// an eligibility trace of order ssm_degree + 1 peaked at the delay; one AdamW step per episode.
// retrograde (fixed_sparse.py): from a pool of B = 1280 images keep the top (1 - top_quantile)
// by loss at random sorted event times; layer k below the exact read-out waits k * delay_factor.
//
// Faithful to the reference except where noted in README ("Cascading eligibility traces"):
// the similarity probe uses the pre-step weights (the reference's hook ran after the step),
// the schedule floor interpolates (min_lr + (1 - min_lr) cos) instead of clamping, and
// validation without --track_sim works (the reference crashed in avg_dict).
#include <memory>
#include <string>
#include <vector>

#include "core/optim/optimizer.hpp"
#include "core/optim/schedule.hpp"
#include "core/random/rng.hpp"
#include "tasks/cet/cet_data.hpp"
#include "tasks/cet/cet_models.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

// The flags of `soma cet` (the sweep reuses them).
void add_cet_params(ParamTable& t);

struct CetResult {
  double val_acc = 0, val_loss = 0, wall_s = 0;
  int64_t steps = 0;
  std::vector<std::string> layers;
  std::vector<double> similarity;  // mean over the run, per delayed layer (track_sim)
};

class CetTask : public Task {
 public:
  CetTask();
  std::string name() const override { return "cet"; }
  std::string description() const override {
    return "learn MNIST / CIFAR-10 with delayed credit through cascading eligibility traces";
  }
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override;
  std::string finish() override;
  const CetResult& result() const { return result_; }

 private:
  void build_behavioural_rules();
  bool set_retrograde_rules(int64_t kept);  // false: nothing to learn from this pool
  std::vector<std::vector<int64_t>> next_items(int64_t count);
  double train_episode();
  double train_retrograde();
  void validate();
  void write_outputs() const;

  RunContext ctx_;
  CetData data_;
  std::vector<std::vector<int64_t>> items_;
  std::vector<size_t> order_;
  size_t cursor_ = 0;
  int64_t epoch_ = 0;
  std::shared_ptr<CetNet> model_;
  std::unique_ptr<optim::Optimizer> opt_;
  std::unique_ptr<optim::LrSchedule> schedule_;
  Rng rng_{0};
  int64_t step_ = 0, total_steps_ = 0, val_every_ = 0, frames_ = 0;
  bool retro_ = false, last_validated_ = false;
  double loss_sum_ = 0;
  int64_t loss_count_ = 0;
  std::vector<double> sim_sum_, sim_total_;
  int64_t sim_count_ = 0, sim_total_count_ = 0;
  std::vector<std::vector<double>>
      metrics_;  // rows: step, epoch, lr, train_loss, val_loss, val_acc, sims
  CetResult result_;
  double start_time_ = 0;
};

}  // namespace soma
