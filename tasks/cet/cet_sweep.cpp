#include "tasks/cet/cet_sweep.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/io/atomic_write.hpp"
#include "core/io/tfevents.hpp"
#include "core/params/comma_list.hpp"
#include "tasks/framework/run.hpp"

namespace soma {
namespace {

std::vector<int64_t> int_list(const std::string& text, const std::string& flag) {
  std::vector<int64_t> out;
  for (const std::string& item : comma_list(text)) {
    try {
      size_t used = 0;
      out.push_back(std::stoll(item, &used));
      if (used != item.size() || out.back() < 1) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw std::invalid_argument("--" + flag + ": '" + item +
                                  "' is not a positive integer (expected e.g. 20,50)");
    }
  }
  if (out.empty()) throw std::invalid_argument("--" + flag + " is empty");
  return out;
}

std::string order_name(int n) {
  return n == 1 ? "ET" : "CET" + std::to_string(n);
}

// The published behavioural accuracies (cet.md section 9), by dataset, delay and order.
double paper_value(const std::string& dataset, int64_t delay, int order) {
  struct Row {
    const char* data;
    int64_t delay;
    double v[4];  // ET, CET(2), CET(6), CET(10)
  };
  static const Row rows[] = {{"mnist", 20, {0.95, 0.97, 0.98, 0.98}},
                             {"mnist", 50, {0.89, 0.91, 0.95, 0.97}},
                             {"cifar10", 10, {0.62, 0.66, 0.74, 0.77}},
                             {"cifar10", 50, {0.47, 0.53, 0.57, 0.60}}};
  const int col = order == 1 ? 0 : order == 2 ? 1 : order == 6 ? 2 : order == 10 ? 3 : -1;
  for (const Row& r : rows)
    if (dataset == r.data && delay == r.delay && col >= 0) return r.v[col];
  return -1;
}

nlohmann::json read_result(const std::string& dir, const std::string& cell) {
  std::ifstream in(dir + "/" + cell + "/result.json");
  if (!in) return {};
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return {};
  }
}

std::string cell_text(const nlohmann::json& r, double paper) {
  std::ostringstream o;
  o.precision(3);
  o << std::fixed;
  if (r.contains("val_acc"))
    o << r["val_acc"].get<double>();
  else
    o << "-";
  if (paper >= 0) o << " (" << std::setprecision(2) << paper << ")";
  return o.str();
}

}  // namespace

std::vector<CetCell> cet_cells(const std::string& delays, const std::string& orders, bool backprop,
                               const std::string& only) {
  std::vector<CetCell> all;
  if (backprop) all.push_back({"bp", 0, 1, true});
  for (int64_t d : int_list(delays, "delays"))
    for (int64_t n : int_list(orders, "orders"))
      all.push_back({"D" + std::to_string(d) + "-" + order_name(int(n)), d, int(n), false});
  if (only.empty()) return all;
  std::vector<CetCell> kept;
  for (const std::string& name : comma_list(only)) {
    bool found = false;
    for (const CetCell& c : all)
      if (c.name == name) kept.push_back(c), found = true;
    if (!found)
      throw std::invalid_argument("--cells: no cell '" + name + "' in this sweep (cells are bp, " +
                                  all.back().name + ", ...)");
  }
  return kept;
}

std::string cet_table_markdown(const std::string& dir, const std::vector<CetCell>& cells,
                               const std::string& data, bool behavioural) {
  // No published numbers for the retrograde protocol: an unknown dataset name shows none.
  const std::string dataset = behavioural ? data : data + " (retrograde)";
  std::vector<int64_t> delays;
  std::vector<int> orders;
  for (const CetCell& c : cells) {
    if (c.backprop) continue;
    if (std::find(delays.begin(), delays.end(), c.delay) == delays.end()) delays.push_back(c.delay);
    if (std::find(orders.begin(), orders.end(), c.order) == orders.end()) orders.push_back(c.order);
  }
  std::sort(delays.begin(), delays.end());
  std::sort(orders.begin(), orders.end());
  const nlohmann::json bp = read_result(dir, "bp");
  std::ostringstream o;
  o << "Test accuracy (10k test set, last partial batch dropped) after the full run; the "
       "paper's value in brackets.\n\n| "
    << dataset << ", delay | ";
  for (int n : orders) o << (n == 1 ? "ET" : "CET(" + std::to_string(n) + ")") << " | ";
  o << "Backprop |\n|---|";
  for (size_t k = 0; k <= orders.size(); ++k) o << "---|";
  o << "\n";
  for (int64_t d : delays) {
    o << "| D = " << d << " images (" << double(d) * 0.2 << " s) | ";
    for (int n : orders)
      o << cell_text(read_result(dir, "D" + std::to_string(d) + "-" + order_name(n)),
                     paper_value(dataset, d, n))
        << " | ";
    o << cell_text(bp, bp.empty() ? -1
                                  : (dataset == "mnist"     ? 0.99
                                     : dataset == "cifar10" ? 0.81
                                                            : -1))
      << " |\n";
  }
  o << "\nMean cosine to the exact gradient over the run (per layer, input first):\n\n"
       "| cell | similarity by layer | steps | wall s |\n|---|---|---|---|\n";
  for (const CetCell& c : cells) {
    nlohmann::json r = read_result(dir, c.name);
    if (r.empty()) continue;
    o << "| " << c.name << " | ";
    if (r.contains("similarity"))
      for (auto& [layer, s] : r["similarity"].items())
        o << layer << " " << std::fixed << std::setprecision(3) << s.get<double>() << " ";
    o << "| " << r.value("steps", 0) << " | " << std::fixed << std::setprecision(0)
      << r.value("wall_s", 0.0) << " |\n";
  }
  return o.str();
}

CetSweepTask::CetSweepTask() {
  add_cet_params(table_);
  table_.add_string("delays", "20,50", "comma-separated delays D in images").restart();
  table_.add_string("orders", "1,2,6,10", "trace orders n (1: ET)").restart();
  table_.add_bool("backprop", true, "also run the zero-delay backprop baseline").restart();
  table_.add_string("cells", "", "run only these cells, e.g. bp,D50-CET10 (default: all)")
      .restart();
}

void CetSweepTask::setup(const ParamValues& values, const RunContext& ctx) {
  keep_values(values);
  ctx_ = ctx;
  telemetry_.clear();
  cells_ = cet_cells(values.get_string("delays"), values.get_string("orders"),
                     values.get_bool("backprop"), values.get_string("cells"));
  next_ = 0;
  child_.reset();
  child_log_.reset();
}

void CetSweepTask::start_next() {
  while (next_ < cells_.size()) {
    const CetCell& c = cells_[next_];
    child_dir_ = ctx_.out_dir.empty() ? "" : ctx_.out_dir + "/" + c.name;
    if (!child_dir_.empty() && std::filesystem::exists(child_dir_ + "/result.json")) {
      ++next_;  // done by an earlier or a parallel sweep
      continue;
    }
    child_ = std::make_unique<CetTask>();
    ParamValues cv(child_->params());
    for (const ParamSpec& s : child_->params()) cv.set(s.name, values().get(s.name));
    cv.set_int("delay_factor", c.delay);
    cv.set_int("ssm_degree", c.order - 1);
    cv.set_bool("e_trace_impulse", c.backprop);
    if (!child_dir_.empty()) std::filesystem::create_directories(child_dir_);
    child_->setup(cv, {child_dir_, false});
    // Each cell is a run of its own in TensorBoard (`--logdir` finds the cell folders). A cell
    // that an earlier sweep left unfinished starts over, and so does its log.
    if (!child_dir_.empty()) {
      for (const std::string& f : event_files(child_dir_)) std::filesystem::remove(f);
      child_log_ = std::make_unique<TensorBoardLog>(child_dir_, child_->telemetry(), false);
    }
    ++next_;
    return;
  }
}

void CetSweepTask::step() {
  if (!child_) start_next();
  if (!child_) return;
  child_->step();
  if (child_log_) child_log_->sync(child_->telemetry());
  const double per = 1.0 / double(std::max<size_t>(cells_.size(), 1));
  telemetry_.progress = per * (double(next_ - 1) + child_->telemetry().progress);
  telemetry_.status = cells_[next_ - 1].name + ": " + child_->telemetry().status;
  if (!child_->done()) return;
  const std::string line = child_->finish();
  telemetry_.add("accuracy " + cells_[next_ - 1].name, double(next_), child_->result().val_acc);
  if (child_log_) child_log_->sync(child_->telemetry());
  if (!child_dir_.empty()) write_telemetry(child_->telemetry(), child_dir_);
  child_.reset();
  child_log_.reset();
  write_table();
  if (!done()) start_next();
}

void CetSweepTask::write_table() const {
  if (ctx_.out_dir.empty()) return;
  write_file_atomic(ctx_.out_dir + "/table.md",
                    cet_table_markdown(ctx_.out_dir, cells_, values().get_string("dataset"),
                                       values().get_string("protocol") == "behavioural"));
}

std::string CetSweepTask::finish() {
  write_table();
  return ctx_.out_dir.empty() ? "" : "table: " + ctx_.out_dir + "/table.md";
}

}  // namespace soma
