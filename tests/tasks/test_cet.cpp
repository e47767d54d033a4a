// soma cet / cet-sweep on the synthetic squares (tests/tasks/task_test_util.hpp).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/io/tfevents.hpp"
#include "core/ops/ops.hpp"
#include "core/optim/adam.hpp"
#include "task_test_util.hpp"
#include "tasks/cet/cet_data.hpp"
#include "tasks/cet/cet_sweep.hpp"
#include "tasks/framework/optimizer_params.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

#ifndef __EMSCRIPTEN__  // `cet` is not registered in the web build (tasks/registry.cpp)
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double test_accuracy(const std::string& out) {
  size_t at = out.find("test accuracy ");
  REQUIRE(at != std::string::npos);
  return std::stod(out.substr(at + 14));
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> run_args(const std::string& data, const std::string& out,
                                  std::vector<std::string> extra) {
  std::vector<std::string> a{"cet", "--data_dir", data, "--hidden_dim", "48", "--batch_size",
                             "32",  "--out",      out,  "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_CASE("cet task: CET(6) learns the squares with credit 4 frames late") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 1000, 256);
  auto r = run_cli(run_args(data, out,
                            {"--delay_factor", "4", "--ssm_degree", "5", "--training_steps", "120",
                             "--val_steps", "60", "--lr", "3e-3", "--track_sim"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(test_accuracy(r.out) > 80.0);  // chance is 10%
  const std::string m = read(out + "/metrics.csv");
  CHECK(has(m, "step,epoch,lr,train_loss,val_loss,val_acc,sim_w1,sim_w2,sim_w3"));
  for (const char* f : {"result.json", "plots/similarity_all_layers.svg", "plots/val_accuracy.svg",
                        "plots/similarity_w1.svg"})
    CHECK(std::filesystem::exists(out + "/" + f));
}

TEST_CASE("cet task: validation works without --track_sim (the reference crashed there)") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 200, 64);
  auto r = run_cli(run_args(data, out, {"--training_steps", "4", "--val_steps", "2"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string m = read(out + "/metrics.csv");
  CHECK(has(m, "val_loss,val_acc\n"));
  CHECK(!has(m, "sim_"));
}

TEST_CASE("cet task: the CNN and the retrograde protocol run a few steps") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 200, 64);
  SUBCASE("behavioural CNN") {
    auto r = run_cli({"cet", "--data_dir", data, "--cnn", "--batch_size", "8", "--delay_factor",
                      "2", "--ssm_degree", "1", "--training_steps", "2", "--val_batch", "32",
                      "--track_sim", "--out", dir / "cnn", "--quiet"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(has(read(dir / "cnn/metrics.csv"), "sim_c1,sim_c2,sim_c3,sim_w1,sim_w2"));
  }
  SUBCASE("retrograde MLP") {
    auto r =
        run_cli(run_args(data, dir / "retro",
                         {"--protocol", "retrograde", "--top_quantile", "0.75", "--delay_factor",
                          "20", "--ssm_degree", "9", "--training_steps", "3", "--track_sim"}));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    // the read-out is exact: only w1 and w2 are delayed
    CHECK(has(read(dir / "retro/metrics.csv"), "val_acc,sim_w1,sim_w2\n"));
  }
}

TEST_CASE("cet task: inconsistent flags fail with a message naming the flag") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 64, 32);
  auto sideways = run_cli(run_args(data, dir / "a", {"--sideways"}));
  CHECK(sideways.code == 1);
  CHECK(has(sideways.err, "--sideways needs --e_trace_impulse"));
  auto zero = run_cli(run_args(data, dir / "b", {"--delay_factor", "0"}));
  CHECK(zero.code == 1);
  CHECK(has(zero.err, "--delay_factor 0 needs --e_trace_impulse"));
  auto bad = run_cli({"cet", "--ssm_degree", "-1"});
  CHECK(bad.code == 2);
}

#endif

TEST_CASE("cet data: episodes blend images with a raised cosine and keep class runs") {
  Dataset d = test::squares_dataset(60, 1);
  auto items = class_groups(d, 3);
  REQUIRE(!items.empty());
  for (const auto& it : items) {
    REQUIRE(it.size() == 3);
    CHECK(d.labels[size_t(it[0])] == d.labels[size_t(it[2])]);
  }
  int64_t other = 1;  // an image of another class than image 0
  while (d.labels[size_t(other)] == d.labels[0]) ++other;
  Episode e = make_episode(d, {{0}, {other}}, 4, 2, false);  // sources at frames 0 and 2
  const int64_t c0 = d.labels[0], c1 = d.labels[size_t(other)];
  CHECK(e.targets.at({0, c0}) == doctest::Approx(1.0));
  CHECK(e.targets.at({1, c0}) == doctest::Approx(0.5));
  CHECK(e.targets.at({1, c1}) == doctest::Approx(0.5));
  CHECK(e.targets.at({2, c1}) == doctest::Approx(1.0));
  CHECK(e.labels[2] == c1);
  CHECK(e.images.at({1, 0, 5, 5}) ==
        doctest::Approx(0.5 * (d.image(0)[5 * 28 + 5] + d.image(other)[5 * 28 + 5])));
}

#ifndef __EMSCRIPTEN__
TEST_CASE("cet sweep: writes the table from its cells and skips finished ones") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "sweep";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 200, 64);
  // A cell an earlier sweep left unfinished (no result.json): its log starts over.
  std::filesystem::create_directories(out + "/bp");
  std::ofstream(out + "/bp/events.out.tfevents.1.host.1") << "stale";
  auto r = run_cli({"cet-sweep", "--data_dir", data, "--hidden_dim", "16", "--batch_size", "16",
                    "--training_steps", "2", "--delays", "3", "--orders", "1,10", "--out", out,
                    "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string t = read(out + "/table.md");
  CHECK(has(t, "| mnist, delay | ET | CET(10) | Backprop |"));
  CHECK(has(t, "| D = 3 images (0.6 s) | 0."));
  for (const char* c : {"bp", "D3-ET", "D3-CET10"}) {
    CHECK(std::filesystem::exists(out + "/" + c + "/result.json"));
    // Each cell's TensorBoard log holds its own series (tags are stored as plain bytes).
    const std::vector<std::string> logs = event_files(out + "/" + c);
    REQUIRE(logs.size() == 1);
    CHECK(has(read(logs[0]), "train loss"));
  }
  const auto stamp = std::filesystem::last_write_time(out + "/bp/result.json");
  auto again = run_cli({"cet-sweep", "--data_dir", data, "--hidden_dim", "16", "--batch_size", "16",
                        "--training_steps", "2", "--delays", "3", "--orders", "1,10", "--out", out,
                        "--quiet"});
  REQUIRE(again.code == 0);
  CHECK(std::filesystem::last_write_time(out + "/bp/result.json") == stamp);
  CHECK_THROWS_AS(cet_cells("20,x", "1", true, ""), std::invalid_argument);
  CHECK_THROWS_AS(cet_cells("20", "1", true, "D50-ET"), std::invalid_argument);
  CHECK(cet_cells("20,50", "1,10", true, "").size() == 5);
}

TEST_CASE("cet sweep table: wall seconds print as whole numbers without --track_sim") {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "D50-CET10");
  std::ofstream(dir / "D50-CET10/result.json")
      << R"({"val_acc": 0.9433, "val_loss": 0.2, "steps": 25380, "wall_s": 2977.4})";
  const std::string t =
      cet_table_markdown(dir.path.string(), cet_cells("50", "10", false, ""), "mnist");
  CHECK(has(t, "| 0.943 (0.97) |"));
  CHECK_MESSAGE(has(t, "| D50-CET10 | | 25380 | 2977 |"), t);
}

#endif

TEST_CASE("cet demo: CET(10) beats ET at a 12-frame delay and the oracle learns") {
  test::TempDir dir;
  auto r = run_cli({"cet-demo", "--training_steps", "300", "--out", dir / "demo", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto last = [&](const std::string& name) {  // the last value of a learner's accuracy series
    const auto points = test::read_series(dir / "demo/series.csv", "test accuracy " + name);
    return points.empty() ? 0.0 : points.back().second;
  };
  const double et = last("ET"), cet = last("CET(10)"), oracle = last("oracle");
  MESSAGE("ET " << et << ", CET(10) " << cet << ", oracle " << oracle);
  CHECK(cet > et + 0.15);
  CHECK(oracle > 0.9);
  CHECK(
      std::filesystem::exists(dir / "demo/plots/trace_kernels__ET__CET__pure_delay__over_lag.svg"));
}

TEST_CASE("optimizer params: --optimizer adamw decouples the weight decay") {
  ParamTable t;
  add_optimizer_params(t, {});
  ParamValues v(t);
  v.set_string("optimizer", "adamw");
  v.set_float("weight_decay", 0.5);
  v.set_float("learning_rate", 0.1);
  Tensor p = Tensor::full({1}, 2.0f).requires_grad_();
  auto opt = make_optimizer(v, {p});
  auto* adam = dynamic_cast<optim::Adam*>(opt.get());
  REQUIRE(adam != nullptr);
  CHECK(adam->decoupled_weight_decay());
  p.zero_grad();
  sum(p * 0.0f).backward();  // a zero gradient: only the decay moves p
  opt->step();
  CHECK(p.item() == doctest::Approx(2.0f * (1 - 0.1f * 0.5f)));
}
