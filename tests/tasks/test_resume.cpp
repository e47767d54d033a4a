// Resume and checkpoints (issues 16 and 19): flags given on resume win, --max_steps stops that
// continue, short runs short, checkpoints that lie are refused with the key named, a failed
// resume writes nothing, and a run killed at any step and resumed leaves the same files as one
// that never stopped.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/io/safetensors.hpp"
#include "core/io/tfevents.hpp"
#include "core/nn/linear.hpp"
#include "core/ops/ops.hpp"
#include "core/params/param_json.hpp"
#include "core/random/rng.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/checkpoint.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/framework/trainer.hpp"
#include "tasks/registry.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(path));
  for (std::string line; std::getline(in, line);) {
    rows.emplace_back();
    std::istringstream l(line);
    for (std::string cell; std::getline(l, cell, ',');) rows.back().push_back(cell);
    if (!line.empty() && line.back() == ',') rows.back().push_back("");
  }
  return rows;
}

// A small memory run: 2 batches per epoch, tiny validation and test.
std::vector<std::string> memory_args(const std::vector<std::string>& more) {
  std::vector<std::string> a{
      "memory", "--samples", "8", "--batch_size",        "4", "--period_length",
      "4",      "--periods", "4", "--limit_val_batches", "1", "--limit_test_batches",
      "1",      "--quiet"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// Every file under dir (relative path -> bytes), but the TensorBoard logs: they hold wall-clock
// times, and a resumed run adds a file of its own (test_tensorboard_log.cpp checks them).
std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && !is_event_file(e.path().filename().string()))
      m[fs::relative(e.path(), dir).string()] = slurp(e.path().string());
  return m;
}

// A run "killed" after `steps` steps: what the CLI would have left (config.json, and what the
// task wrote while stepping), without finish().
void killed_run(const std::string& task, const std::vector<std::string>& flags,
                const std::string& dir, int steps) {
  TaskPtr t = make_task(task);
  ParamValues v(t->params());
  for (size_t i = 0; i + 1 < flags.size(); ++i)
    if (flags[i].rfind("--", 0) == 0 && t->params().find(flags[i].substr(2)) >= 0)
      v.set_from_string(flags[i].substr(2), flags[i + 1]), ++i;
  fs::create_directories(dir);
  save_params_json(v, dir + "/config.json");
  t->setup(v, {dir, false});
  for (int k = 0; k < steps && !t->done(); ++k) t->step();
}

void check_same_files(const std::string& a, const std::string& b) {
  auto fa = files_of(a), fb = files_of(b);
  CHECK(fa.size() == fb.size());
  for (const auto& entry : fa) {
    const std::string& name = entry.first;  // (clang 14 cannot capture a structured binding)
    CAPTURE(name);
    REQUIRE(fb.count(name) == 1);
    CHECK(entry.second == fb[name]);
  }
}

// The CLI run `args` (the task first) to its end in dir/whole, then for each k in kill_at the
// same run killed after k steps and resumed, in dir/killed<k>: each must leave the same files.
void check_killed_runs(const std::vector<std::string>& args, const test::TempDir& dir,
                       std::initializer_list<int> kill_at) {
  std::vector<std::string> whole = args;
  whole.insert(whole.end(), {"--out", dir / "whole"});
  auto w = run_cli(whole);
  REQUIRE_MESSAGE(w.code == 0, w.err);
  for (int k : kill_at) {
    CAPTURE(k);
    const std::string out = dir / ("killed" + std::to_string(k));
    killed_run(args[0], args, out, k);
    auto r = run_cli({args[0], "--resume", out, "--quiet"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    check_same_files(dir / "whole", out);
  }
}

}  // namespace

TEST_CASE("resume: a --learning_rate given on resume is the one used") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args({"--epochs", "1", "--learning_rate", "0.01", "--out", out})).code ==
          0);
  auto r =
      run_cli({"memory", "--resume", out, "--epochs", "2", "--learning_rate", "0.003", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto rows = csv_rows(out + "/metrics.csv");
  REQUIRE(rows.size() == 4);  // header, 2 epochs, test
  CHECK(rows[0][6] == "lr");
  CHECK(std::stod(rows[1][6]) == doctest::Approx(0.01));
  CHECK(std::stod(rows[2][6]) == doctest::Approx(0.003));
  CHECK(has(slurp(out + "/config.json"), "0.003"));
}

TEST_CASE("resume: a run stopped by --max_steps continues with a higher --max_steps") {
  test::TempDir dir;
  const std::string out = dir / "run";
  auto first = run_cli(memory_args({"--epochs", "3", "--max_steps", "3", "--out", out}));
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(has(first.out, "3 steps"));
  auto r = run_cli({"memory", "--resume", out, "--max_steps", "5", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(has(r.out, "5 steps"));
  auto rows = csv_rows(out + "/metrics.csv");
  // Epochs 1 and 2 finished, epoch 3 stopped after one batch, then the test row.
  REQUIRE(rows.size() == 5);
  CHECK(rows[1][0] == "1");
  CHECK(rows[2][0] == "2");
  CHECK(rows[3][0] == "3");
  CHECK(rows[3][1] == "5");
}

namespace {
// Counts the batches evaluate() runs: 10 available on each split (or none).
class CountTask : public TrainingTask {
 public:
  explicit CountTask(int64_t eval_batches = 10) : available_(eval_batches) {
    add_seed_param(table_, 1);
    add_trainer_params(table_, {2, 4, {.learning_rate = 0.1, .optimizer = "sgd"}});
  }
  std::string name() const override { return "count"; }
  std::string description() const override { return "count evaluation batches"; }
  int64_t evaluated = 0;

 protected:
  void build(const ParamValues&) override {
    Rng rng(1);
    model_ = std::make_shared<nn::Linear>(1, 1, false, rng);
  }
  nn::Module& model() const override { return *model_; }
  int64_t batches_per_epoch() const override { return 4; }
  BatchStats train_batch(int64_t, int64_t) override {
    Tensor loss = sum(square((*model_)(Tensor::ones({1, 1}))));
    loss.backward();
    return {loss.item(), 1, 2};
  }
  EvalStats evaluate(bool test) override {
    int64_t n = std::min(available_, eval_batch_limit(test));
    evaluated += n;
    return {0.5, 0.5, n};
  }

 private:
  std::shared_ptr<nn::Linear> model_;
  int64_t available_;
};
}  // namespace

TEST_CASE("trainer: --limit_val_batches, --limit_test_batches, and --max_steps runs stay short") {
  CountTask t;
  ParamValues v(t.params());
  SUBCASE("no limits: all batches") {
    t.setup(v, {});
    while (!t.done()) t.step();
    t.finish();
    CHECK(t.evaluated == 2 * 10 + 10);
  }
  SUBCASE("explicit limits") {
    v.set_int("limit_val_batches", 2);
    v.set_int("limit_test_batches", 3);
    t.setup(v, {});
    while (!t.done()) t.step();
    t.finish();
    CHECK(t.evaluated == 2 * 2 + 3);
  }
  SUBCASE("--max_steps 1 evaluates on one batch per split") {
    v.set_int("max_steps", 1);
    t.setup(v, {});
    while (!t.done()) t.step();
    t.finish();
    CHECK(t.evaluated == 1 + 1);
  }
}

TEST_CASE("trainer: an empty validation split gives empty cells, not 0") {
  test::TempDir dir;
  CountTask t(0);
  ParamValues v(t.params());
  v.set_int("epochs", 1);
  t.setup(v, {dir.path.string(), false});
  while (!t.done()) t.step();
  CHECK(has(t.finish(), "no test split"));
  auto rows = csv_rows(dir / "metrics.csv");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][4] == "");  // val_loss
  CHECK(rows[1][5] == "");  // val_accuracy
  CHECK(t.telemetry().find_series(TrainerKeys::val_loss)->y.empty());
}

TEST_CASE("trainer: --epochs 9223372036854775807 with a cosine schedule runs") {
  CountTask t;
  ParamValues v(t.params());
  v.set_int("epochs", INT64_MAX);
  v.set_string("lr_schedule", "cosine");
  v.set_int("warmup_steps", 2);
  v.set_int("max_steps", 3);
  t.setup(v, {});
  while (!t.done()) t.step();
  CHECK(t.telemetry().find_series(TrainerKeys::loss)->y.size() == 3);
}

TEST_CASE("trainer: the best checkpoint (by validation loss) sits beside the last one") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args({"--epochs", "2", "--out", out})).code == 0);
  CHECK(fs::exists(out + "/checkpoint.safetensors"));
  REQUIRE(fs::exists(out + "/checkpoint-best.safetensors"));
  auto best = load_safetensors(out + "/checkpoint-best.safetensors");
  CHECK((best.metadata.at("epoch") == "1" || best.metadata.at("epoch") == "2"));
}

TEST_CASE("cartpole and correlation: metrics.csv and a checkpoint, and --resume continues") {
  test::TempDir dir;
  for (std::string task : {"cartpole", "correlation"}) {
    CAPTURE(task);
    const std::string out = dir / task;
    std::vector<std::string> args{task, "--episodes", "3", "--out", out, "--quiet"};
    if (task == "cartpole") args.insert(args.end(), {"--max_episode_steps", "30"});
    if (task == "correlation") args.insert(args.end(), {"--seq_length", "30"});
    auto r = run_cli(args);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(fs::exists(out + "/checkpoint.safetensors"));
    CHECK(csv_rows(out + "/metrics.csv").size() == 4);
    auto resumed = run_cli({task, "--resume", out, "--episodes", "5", "--quiet"});
    REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
    CHECK(has(resumed.out, "after 5 episodes"));
    CHECK(csv_rows(out + "/metrics.csv").size() == 6);
  }
}

TEST_CASE("soma CLI: --out at a folder that holds a run is refused without --overwrite") {
  test::TempDir dir;
  const std::string out = dir / "run";
  std::vector<std::string> args{"correlation", "--episodes", "1", "--seq_length",
                                "10",          "--out",      out, "--quiet"};
  REQUIRE(run_cli(args).code == 0);
  const std::string config = slurp(out + "/config.json");
  args[2] = "2";
  auto again = run_cli(args);
  CHECK(again.code == 2);
  CHECK(has(again.err, "--resume"));
  CHECK(has(again.err, "--overwrite"));
  CHECK(slurp(out + "/config.json") == config);
  args.push_back("--overwrite");
  CHECK(run_cli(args).code == 0);
  CHECK(has(slurp(out + "/config.json"), "\"episodes\": 2"));
}

TEST_CASE("resume: another batch size is refused before anything is written") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args({"--epochs", "1", "--out", out})).code == 0);
  const std::string config = slurp(out + "/config.json");
  auto r = run_cli({"memory", "--resume", out, "--batch_size", "2", "--epochs", "2", "--quiet"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "batch_size 4"));
  CHECK(slurp(out + "/config.json") == config);
}

TEST_CASE("checkpoints that lie are refused, naming the file and the key") {
  test::TempDir dir;
  const std::string out = dir / "run";
  REQUIRE(run_cli(memory_args({"--epochs", "1", "--out", out})).code == 0);
  const std::string path = out + "/checkpoint.safetensors";
  const SafetensorsData good = load_safetensors(path);
  auto resume_with = [&](SafetensorsData d) {
    save_safetensors(path, d.tensors, d.metadata);
    auto r = run_cli({"memory", "--resume", out, "--epochs", "2", "--quiet"});
    CHECK(r.code == 1);
    CHECK(has(r.err, path));
    return r.err;
  };
  SafetensorsData d = good;
  d.metadata["epoch"] = "abc";
  CHECK(has(resume_with(d), "epoch: 'abc' is not a whole number"));
  d = good;
  d.metadata["epoch"] = "-1";
  CHECK(has(resume_with(d), "epoch: -1 is outside"));
  d = good;
  d.metadata["batch"] = "1000";
  CHECK(has(resume_with(d), "batch: 1000 is outside"));
  d = good;
  d.metadata["best_val_loss"] = "nan";
  CHECK(has(resume_with(d), "best_val_loss"));
  d = good;
  d.tensors.begin()->second = d.tensors.begin()->second.clone();
  for (auto& [k, t] : d.tensors)
    if (k.rfind("model.", 0) == 0) {
      t = t.clone();
      t.data()[0] = NAN;
      break;
    }
  CHECK(has(resume_with(d), "NaN"));
  d = good;
  for (auto it = d.tensors.begin(); it != d.tensors.end();)
    it = it->first.rfind("optim.", 0) == 0 ? d.tensors.erase(it) : std::next(it);
  CHECK(has(resume_with(d), "no optimizer state"));
  d = good;
  d.metadata["record.metrics"] = "[[1, 2, 0.5]]";  // 3 values for 9 columns
  CHECK(has(resume_with(d), "3 values for 9 columns"));
  d = good;
  d.metadata["record.metrics"] = "[[1, 2, null, 0.5, 0.1, 0.5, 0.01, null, null]]";
  CHECK(has(resume_with(d), "no value for train_loss"));
  d = good;  // the old format: a float32 tensor of fewer columns than it should have
  d.metadata.erase("record.metrics");
  d.tensors["trainer.metrics"] = Tensor::from({1, 5}, {1, 2, 3, 4, 5});
  CHECK(has(resume_with(d), "trainer.metrics"));
}

// A run killed at several steps and resumed writes the very files of a run that never stopped:
// metrics.csv, series.csv, the plots, both checkpoints, config.json.
TEST_CASE("resume: a run killed at any step and resumed is the same run") {
  test::TempDir dir;
  check_killed_runs(memory_args({"--epochs", "2", "--checkpoint_every", "1"}), dir, {1, 2, 3});
}

// Inside a window the gradients summed so far are state: a checkpoint without them would
// resume with the window's first batches lost.
TEST_CASE("resume: a run killed inside a gradient-accumulation window is the same run") {
  test::TempDir dir;
  // 4 batches of 2 per epoch, windows of 3 batches (the second window of an epoch is 1 batch).
  std::vector<std::string> flags =
      memory_args({"--epochs", "2", "--checkpoint_every", "1", "--accumulate_grad_batches", "3"});
  *(std::find(flags.begin(), flags.end(), "--batch_size") + 1) = "2";
  check_killed_runs(flags, dir, {1, 2, 5});
  // The window's position counts batches of this --accumulate_grad_batches: another value is
  // refused inside an epoch, before anything is written.
  killed_run("memory", flags, dir / "other", 2);
  auto r = run_cli({"memory", "--resume", dir / "other", "--accumulate_grad_batches", "2"});
  CHECK(r.code != 0);
  CHECK(has(r.err, "--accumulate_grad_batches 3"));
  CHECK(has(r.err, "checkpoint.safetensors"));
}

// The validations inside an epoch draw on mnist's Poisson encoder stream, which the training
// batches draw on too: a checkpoint after such a validation must hold the stream after it.
TEST_CASE(
    "resume: mnist (Poisson) with --val_check_interval, killed at any step, is the same run") {
  test::TempDir dir;
  const std::string data = dir / "data";
  fs::create_directories(data);
  test::write_squares_idx(data, 48, 16);
  const std::vector<std::string> flags{"mnist",   "--data_dir",
                                       data,      "--model",
                                       "rec",     "--hidden",
                                       "8",       "--seq_length",
                                       "4",       "--batch_size",
                                       "8",       "--epochs",
                                       "2",       "--encoder",
                                       "poisson", "--val_fraction",
                                       "0.2",     "--checkpoint_every",
                                       "1",       "--val_check_interval",
                                       "2",       "--limit_val_batches",
                                       "1",       "--quiet"};
  check_killed_runs(flags, dir, {2, 3, 7});
}

TEST_CASE("resume: mnist (Poisson), cifar10 (augmented) and cart-pole resume to the same files") {
  test::TempDir dir;
  const std::string data = dir / "data", colours = dir / "colours";
  fs::create_directories(data);
  fs::create_directories(colours);
  test::write_squares_idx(data, 48, 16);
  test::write_colours_cifar10(colours, 8, 6);
  const std::vector<std::string> mnist{"mnist", "--data_dir",         data,      "--model",
                                       "rec",   "--hidden",           "8",       "--seq_length",
                                       "4",     "--batch_size",       "8",       "--epochs",
                                       "2",     "--encoder",          "poisson", "--val_fraction",
                                       "0.2",   "--checkpoint_every", "1",       "--quiet"};
  const std::vector<std::string> cartpole{
      "cartpole", "--episodes",         "6", "--max_episode_steps",
      "40",       "--checkpoint_every", "1", "--quiet"};
  // Random crops and flips and the read-out noise: streams the checkpoint must carry.
  const std::vector<std::string> cifar10{"cifar10",
                                         "--data_dir",
                                         colours,
                                         "--channels",
                                         "2",
                                         "--seq_length",
                                         "2",
                                         "--epochs",
                                         "2",
                                         "--batch_size",
                                         "6",
                                         "--limit_val_batches",
                                         "1",
                                         "--quiet",
                                         "--checkpoint_every",
                                         "1"};
  for (const auto* base : {&mnist, &cifar10, &cartpole}) {
    const std::string task = (*base)[0];
    CAPTURE(task);
    std::vector<std::string> a = *base;
    a.insert(a.end(), {"--out", dir / (task + "_whole")});
    auto whole = run_cli(a);
    REQUIRE_MESSAGE(whole.code == 0, whole.err);
    const std::string out = dir / (task + "_killed");
    std::vector<std::string> f(base->begin() + 1, base->end());
    killed_run(task, f, out, 3);
    auto r = run_cli({task, "--resume", out, "--quiet"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    check_same_files(dir / (task + "_whole"), out);
  }
}
