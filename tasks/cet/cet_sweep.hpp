#pragma once
// `soma cet-sweep`: the paper's behavioural table with our numbers. Runs `soma cet` once per cell
// (backprop, and ET / CET(n) at every delay) into <out>/<cell>/ (metrics.csv, result.json,
// plots), then writes <out>/table.md and table.csv: test accuracy per delay and trace order
// beside the published values, and each layer's mean cosine to the exact gradient.
// A cell whose folder already holds result.json is not run again, so a sweep can be resumed
// or split over processes (--cells) that share one --out; every finished cell rewrites the table
// from all the cells present.
#include <memory>
#include <string>
#include <vector>

#include "tasks/cet/cet_task.hpp"
#include "tasks/framework/tensorboard_log.hpp"

namespace soma {

struct CetCell {
  std::string name;  // bp, D20-ET, D20-CET10, ...
  int64_t delay = 0;
  int order = 1;  // n: 1 = ET
  bool backprop = false;
};

// The cells for delays x orders (plus backprop), keeping those named in `only` (comma list;
// empty: all). Throws std::invalid_argument on a malformed list.
std::vector<CetCell> cet_cells(const std::string& delays, const std::string& orders, bool backprop,
                               const std::string& only);
// Markdown table of the results found under dir (cells without result.json show "-"); the
// published values (behavioural protocol only) in brackets.
std::string cet_table_markdown(const std::string& dir, const std::vector<CetCell>& cells,
                               const std::string& dataset, bool behavioural = true);

class CetSweepTask : public Task {
 public:
  CetSweepTask();
  std::string name() const override { return "cet-sweep"; }
  std::string description() const override {
    return "sweep ET / CET(2) / CET(6) / CET(10) over delays and write the paper's table";
  }
  void setup(const ParamValues& values, const RunContext& ctx) override;
  void step() override;
  bool done() const override { return next_ >= cells_.size() && !child_; }
  std::string finish() override;
  bool reruns_in_folder() const override { return true; }  // finished cells are skipped

 private:
  void start_next();
  void write_table() const;
  RunContext ctx_;
  std::vector<CetCell> cells_;
  size_t next_ = 0;
  std::unique_ptr<CetTask> child_;
  std::string child_dir_;
  std::unique_ptr<TensorBoardLog> child_log_;  // the cell folder's TensorBoard log
};

}  // namespace soma
