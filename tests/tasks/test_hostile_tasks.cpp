// Hostile and careless input to the tasks through the `soma` command line (issue 19): sizes
// beyond the machine, microcircuit runs that diverge or overflow to zero steps, model.json files
// that lack what --load reads. Each crashed or exited 0 with a wrong result before its fix.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "task_test_util.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A microcircuit run of 600 steps (1 ms settling, 5 samples of 1 ms) with `extra` keys.
std::string small_mc(const std::string& extra) {
  return R"({"epochs": 1, "dataset_size": 5, "settling_time": 1, "random_seed": [1])" + extra + "}";
}

}  // namespace

TEST_CASE("sizes: batch_size 2^63 - 1 is refused by every training task, naming the flag") {
  for (const char* task : {"mnist", "memory"}) {
    CAPTURE(task);
    auto r = run_cli({task, "--batch_size", "9223372036854775807", "--quiet"});
    CHECK(r.code == 2);
    CHECK(has(r.err, "batch_size"));
    CHECK(has(r.err, "65536"));
  }
}

TEST_CASE("sizes: cartpole's episode limit, once cast to int (2^63 - 1 became -1), is bounded") {
  auto r = run_cli({"cartpole", "--max_episode_steps", "9223372036854775807", "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "max_episode_steps"));
}

TEST_CASE("sizes: a memory run whose batch cannot fit stops before allocating, exit 1") {
  test::TempDir dir;
  // Each within its range; together 10^9 steps x 128 samples x 100 floats = 51 TB.
  auto r = run_cli({"memory", "--seq_length", "10000", "--seq_periods", "1000", "--seq_repetitions",
                    "100", "--quiet", "--out", dir / "run"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "one batch of 128 samples of 1000000000 steps needs"));
  CHECK(has(r.err, "this machine can hold"));
}

TEST_CASE("microcircuit: a diverging run exits 1 naming the seed, never 'MSE -nan' and 0") {
  test::TempDir dir;
  for (const char* extra : {R"(, "eta_fw": [1e300, 1e300])", R"(, "gl": -1, "Tpres": 100)"}) {
    CAPTURE(extra);
    auto r = run_cli({"microcircuit", "--params", dir.file("p.json", small_mc(extra)), "--quiet",
                      "--out", dir / "run", "--overwrite"});
    CHECK(r.code == 1);
    CHECK(has(r.err, "seed 1 diverged"));
    CHECK(!has(r.out, "nan"));
  }
}

TEST_CASE("microcircuit: step counts that overflow and layers beyond memory are usage errors") {
  test::TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {R"(, "epochs": 9000000000000000000)", "time steps"},
      {R"(, "dt": 1e-300)", "time steps"},
      {R"(, "settling_time": 1e18)", "time steps"},
      {R"(, "layers": [1, 1099511627776, 1])", "this machine can hold"},
      {R"(, "layers": [1, 4611686018427387904, 4])", "too large"},
  };
  for (const auto& c : cases) {  // no structured bindings: clang 14 cannot CAPTURE them
    const std::string extra = c.first, message = c.second;
    CAPTURE(extra);
    const std::string file = dir.file("p.json", small_mc(extra));
    auto r = run_cli({"microcircuit", "--params", file, "--quiet", "--out", dir / "run"});
    CHECK(r.code == 2);
    CHECK(has(r.err, file));
    CHECK(has(r.err, message));
  }
}

TEST_CASE("microcircuit: deep nesting and 1e400 in params.json are errors naming the file") {
  test::TempDir dir;
  const std::string deep = dir.file(
      "deep.json", "{\"layers\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  auto r = run_cli({"microcircuit", "--params", deep, "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, deep));
  const std::string wrong = dir.file("wrong.json", R"({"layers": [[[[[[[[[[[[1]]]]]]]]]]]]})");
  r = run_cli({"microcircuit", "--params", wrong, "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "expected a list of integers, found array [[[[[[[["));
  const std::string huge = dir.file("huge.json", R"({"dt": 1e400})");
  r = run_cli({"microcircuit", "--params", huge, "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, huge));
  r = run_cli({"mnist", "--params", huge, "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, huge));
}

TEST_CASE("microcircuit --load: a model.json without seeds or params is an error naming both") {
  test::TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"format": "soma-microcircuit-1", "params": {}})", "no \"seeds\""},
      {R"({"format": "soma-microcircuit-1", "seeds": []})", "no \"params\""},
      {R"({"format": "soma-microcircuit-1", "params": {}, "seeds": [{"seed": 1}]})",
       "expected an object with angle"},
      {R"({"format": "soma-microcircuit-1", "params": {}, "seeds": [{"seed": 1, "t_ms": [1, 2],
          "mse": [0.5], "angle": [], "angle_phi": [], "traces": {}}]})",
       "expected 2 values"},
      {R"({"format": "soma-microcircuit-1", "params": {}, "seeds": [{"seed": 1, "t_ms": [1],
          "mse": [0.5], "angle": [[1]], "angle_phi": [[1]], "traces": {"WPP_layer1": [[1]]}},
          {"seed": 2, "t_ms": [1], "mse": [0.5], "angle": [[1]], "angle_phi": [[1]],
          "traces": {}}]})",
       "no \"WPP_layer1\""},
      {R"({"format": "soma-microcircuit-1", "params": {}, "seeds": [{"seed": 1, "t_ms": [1],
          "mse": [], "angle": [[1], [2]], "angle_phi": [[1]], "traces": {}}]})",
       "a different number of layers"},
  };
  for (const auto& c : cases) {  // no structured bindings: clang 14 cannot CAPTURE them
    const std::string text = c.first, message = c.second;
    CAPTURE(text);
    const std::string file = dir.file("model.json", text);
    auto r = run_cli({"microcircuit", "--load", file, "--quiet"});
    CHECK(r.code == 1);
    CHECK(has(r.err, file));
    CHECK(has(r.err, message));
  }
}
