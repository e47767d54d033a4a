#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/params/param_spec.hpp"
#include "task_test_util.hpp"
#include "tasks/microcircuit/angles.hpp"
#include "tasks/microcircuit/experiment.hpp"
#include "tasks/microcircuit/microcircuit_task.hpp"
#include "tasks/microcircuit/params.hpp"
#include "tasks/registry.hpp"
#include "temp_dir.hpp"

using namespace soma;
using namespace soma::mc;
namespace fs = std::filesystem;

namespace {

// A params file in a folder of its own.
struct TempFile {
  test::TempDir dir;
  fs::path path;
  explicit TempFile(const std::string& text) : path(dir.file("params.json", text)) {}
};

std::string error_of(const std::string& json_text) {
  TempFile f(json_text);
  try {
    load_params_file(f.path.string());
  } catch (const ParamError& e) {
    return e.what();
  }
  return "";
}

double mean(const std::vector<double>& v, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return s / double(to - from);
}

// A short 1-1-1 fw_bw run (the template, 3 epochs) with a teacher whose output weight is
// clearly positive.
McParams short_fw_bw(const std::string& rule, Range B_range) {
  McParams p;
  p.model_type = rule;
  p.epochs = 3;
  p.settling_time = 20;
  p.random_seed = {7};
  p.init_teacher_WPP_range = Range{0.8, 1.2};
  p.init_WPP_range = {0.2, 0.5};
  p.init_BPP_range = B_range;
  return p;
}

}  // namespace

TEST_CASE("microcircuit: Frobenius angle") {
  Mat a(2, 2), b(2, 2);
  a << 1, 0, 0, 1;
  b << 0, 1, 1, 0;
  CHECK(angle_deg(a, b) == doctest::Approx(90));
  CHECK(angle_deg(a, 2.5 * a) < 1e-5);
  CHECK(angle_deg(a, -a) == doctest::Approx(180));
  Mat c(2, 2);
  c << 1, 1, 0, 0;
  CHECK(angle_deg(a, c) == doctest::Approx(60));  // cos = 1 / (sqrt2 sqrt2)
  CHECK(std::isnan(angle_deg(a, Mat::Zero(2, 2))));
}

TEST_CASE("microcircuit: params file") {
  SUBCASE("duplicate _comment keys, defaults for keys the template lacks") {
    TempFile f(R"({"_comment": "a", "dt": 0.01, "_comment": "b", "layers": [2, 3, 1],
                   "eta_fw": [1, 2], "random_seed": [1, 2], "rec_BPP": true})");
    McParams p = load_params_file(f.path.string());
    CHECK(p.layers == std::vector<int64_t>{2, 3, 1});
    CHECK(p.random_seed == std::vector<uint64_t>{1, 2});
    CHECK(p.settling_time == 100);
    CHECK_FALSE(p.copy_teacher_weights);
    CHECK_FALSE(p.copy_teacher_voltages);
    CHECK(p.records("BPP"));
    CHECK(p.records("MSE"));
  }
  SUBCASE("the shipped template parses") {
    for (const char* path : {"assets/microcircuit/template/params.json",
                             "../assets/microcircuit/template/params.json"})
      if (fs::exists(path)) CHECK(load_params_file(path).model_type == "FA");
  }
  SUBCASE("an unknown key is named") {
    std::string e = error_of(R"({"dt": 0.01, "learning_rate": 3})");
    CHECK(e.find("learning_rate") != std::string::npos);
    CHECK(e.find("params.json") != std::string::npos);  // the file
    CHECK(error_of(R"({"rec_nonsense": true})").find("rec_nonsense") != std::string::npos);
  }
  SUBCASE("a mistyped value names the key, the expected and the found type") {
    std::string e = error_of(R"({"dt": "0.01"})");
    CHECK(e.find("'dt'") != std::string::npos);
    CHECK(e.find("expected a number") != std::string::npos);
    CHECK(e.find("found string") != std::string::npos);
    e = error_of(R"({"layers": [1, 1.5, 1]})");
    CHECK(e.find("layers") != std::string::npos);
    CHECK(e.find("integers") != std::string::npos);
    CHECK(error_of(R"({"model_type": "XY"})").find("model_type") != std::string::npos);
  }
}

TEST_CASE("microcircuit: the self-predicting state silences the apical compartment") {
  for (std::string topology : {"skip", "layered"}) {
    for (bool sps : {true, false}) {
      McParams p;
      p.layers = {2, 4, 3, 2};
      p.topology = topology;
      p.activation = {"logistic"};
      p.init_in_SPS = sps;
      p.random_seed = {3};
      Rng rng(3), noise(4);
      Model m = make_model(p, rng);
      Vec in = Vec::Constant(2, 0.5);
      for (int s = 0; s < 5000; ++s) step(m, in, nullptr, false, noise);  // 50 ms, ~10 tau
      double v = 0;
      for (const Vec& a : m.vapi) v = std::max(v, a.cwiseAbs().maxCoeff());
      CAPTURE(topology);
      if (sps)
        CHECK(v < 1e-3);
      else
        CHECK(v > 1e-2);
    }
  }
}

TEST_CASE("microcircuit: BP with BPI = -BPP learns; FA with a sign-mismatched B does not") {
  auto run = [](McParams p) {
    Experiment e(std::move(p), TaskKind::fw_bw);
    e.run();
    const auto& mse = e.runs()[0].rec.mse;
    return std::pair{mean(mse, 0, 20), mean(mse, mse.size() - 20, mse.size())};
  };
  auto [bp0, bp1] = run(short_fw_bw("BP", {-1, 1}));
  CHECK(bp1 < 0.05 * bp0);
  auto [fa0, fa1] = run(short_fw_bw("FA", {0.5, 1}));  // sign(B) = sign(teacher W2)
  CHECK(fa1 < 0.05 * fa0);
  auto [bad0, bad1] = run(short_fw_bw("FA", {-1, -0.5}));  // sign(B) != sign(teacher W2)
  CHECK(bad1 > 20 * fa1);
  (void)bad0;
}

TEST_CASE("microcircuit: PAL aligns B with W^T (bw_only)") {
  McParams p;
  p.layers = {3, 6, 4, 3};
  p.activation = {"logistic"};
  p.model_type = "PAL";
  p.topology = "layered";
  p.noise_type = "OU";
  p.noise_mode = "const";
  p.noise_scale = {0.2};
  p.tauHP = 0.1;
  p.eta_fw = {0};
  p.eta_IP = {0};
  p.eta_PI = {0};
  p.eta_bw = {50};
  p.alpha = {0};
  p.epochs = 2;
  p.settling_time = 10;
  p.random_seed = {11};
  p.rec = {};
  Experiment e(std::move(p), TaskKind::bw_only);
  e.run();
  const SeedRun& r = e.runs()[0];
  for (size_t k = 0; k < 2; ++k) {
    CAPTURE(k);
    CAPTURE(r.initial_angle[k]);
    CHECK(r.rec.angle[k].back() < r.initial_angle[k] - 20);
  }
}

TEST_CASE("microcircuit: a seed's run does not depend on the other seeds or threads") {
  McParams p;
  p.epochs = 1;
  p.dataset_size = 10;
  p.settling_time = 5;
  p.model_type = "LDRL";
  p.eta_bw = {10};
  p.random_seed = {5, 6, 7};
  McParams q = p;
  q.random_seed = {5, 6};  // the inputs come from the first seed
  Experiment a(p, TaskKind::bw_only), b(q, TaskKind::bw_only);
  a.run();
  b.run();
  CHECK(a.runs()[1].model.W[0](0, 0) == b.runs()[1].model.W[0](0, 0));
  CHECK(a.runs()[1].model.B[0](0, 0) == b.runs()[1].model.B[0](0, 0));
  CHECK(a.runs()[1].rec.angle[0] == b.runs()[1].rec.angle[0]);
}

TEST_CASE("microcircuit: the task runs, writes its outputs and re-plots from model.json") {
  test::TempDir tmp;
  const fs::path dir = tmp.path;
  const std::string file =
      tmp.file("params.json", R"({"_comment": "x", "epochs": 1, "dataset_size": 5, "_comment": "y",
                             "settling_time": 1, "random_seed": [1, 2], "rec_BPP": true})");
  TaskPtr t = make_task("microcircuit");
  ParamValues v(t->params());
  t->apply_params_file(v, file);
  CHECK(v.get_string("params_file") == file);
  t->setup(v, RunContext{dir.string(), false});
  int steps = 0;
  while (!t->done()) t->step(), ++steps;
  CHECK(steps == 1);  // 5 ms + 1 ms settling fit one 10 ms chunk
  CHECK(t->telemetry().find_series("mse") != nullptr);
  CHECK(t->telemetry().find_series("angle_layer1") != nullptr);
  for (const char* seed : {"angle_layer1 seed 1", "angle_layer1 seed 2"}) {  // drawn on the mean
    const Series* s = t->telemetry().find_series(seed);
    REQUIRE(s != nullptr);
    CHECK(s->style.overlay == "angle_layer1");
    CHECK(s->y.size() == t->telemetry().find_series("angle_layer1")->y.size());
  }
  t->finish();
  for (const char* f : {"model.json", "mse.csv", "mse.svg", "angles.csv", "angle_layer1.svg",
                        "WPP_layer1.svg", "BPP_layer1.csv"})
    CHECK(fs::exists(dir / f));
  fs::remove(dir / "mse.svg");
  const std::string line = microcircuit_replot((dir / "model.json").string());
  CHECK(line.find("seed 2") != std::string::npos);
  CHECK(fs::exists(dir / "mse.svg"));
}

TEST_CASE("microcircuit CLI: one plot set in the run folder, nothing beside the params file") {
  test::TempDir tmp;
  const fs::path dir = tmp.path;
  fs::create_directories(dir / "params");
  std::ofstream(dir / "params" / "params.json")
      << R"({"epochs": 1, "dataset_size": 5, "settling_time": 1, "random_seed": [1, 2]})";
  const std::string params = (dir / "params" / "params.json").string();
  const std::string out = (dir / "run").string();
  auto r = soma::test::run_cli({"microcircuit", "--params", params, "--out", out, "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(fs::exists(dir / "run" / "model.json"));
  CHECK(fs::exists(dir / "run" / "mse.svg"));
  CHECK(!fs::exists(dir / "run" / "plots" / "mse.svg"));  // no seed-mean copy
  if (fs::exists(dir / "run" / "plots"))
    for (const auto& e : fs::directory_iterator(dir / "run" / "plots"))
      CHECK(e.path().filename().string().rfind("state_", 0) != 0);  // no 1x1 state plots
  CHECK(!fs::exists(dir / "params" / "model.json"));
  auto beside =
      soma::test::run_cli({"microcircuit", "--params", params, "--beside_params", "--quiet"});
  REQUIRE_MESSAGE(beside.code == 0, beside.err);
  CHECK(fs::exists(dir / "params" / "model.json"));
}
