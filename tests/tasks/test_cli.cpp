#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "core/backend/cuda_runtime.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/common_params.hpp"
#include "tasks/registry.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {
bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("soma CLI: list, usage and unknown tasks") {
  auto list = run_cli({"list"});
  CHECK(list.code == 0);
  for (const char* t : {"mnist", "memory", "correlation", "cartpole", "microcircuit"})
    CHECK(has(list.out, t));
  CHECK(run_cli({}).code == 2);
  auto help = run_cli({"--help"});
  CHECK(help.code == 0);
  // The task list is two columns: every description starts where the others do.
  std::set<size_t> starts;
  for (const TaskEntry& e : task_registry()) {
    const size_t at = help.out.find("\n  " + e.name + " ");
    REQUIRE(at != std::string::npos);
    starts.insert(help.out.find_first_not_of(' ', at + 3 + e.name.size()) - at);
  }
  CHECK(starts.size() == 1);
  auto bad = run_cli({"mnsit"});
  CHECK(bad.code == 2);
  CHECK(has(bad.err, "unknown task 'mnsit'"));
  CHECK(has(bad.err, "mnist"));
}

TEST_CASE("soma CLI: every task's --help lists its flags with defaults") {
  for (const TaskEntry& e : task_registry()) {
    auto r = run_cli({e.name, "--help"});
    CHECK(r.code == 0);
    CHECK(has(r.out, "--params"));
    CHECK(has(r.out, "--out"));
  }
  auto mnist = run_cli({"mnist", "--help"});
  CHECK(has(mnist.out, "--seed INT=1234"));
  CHECK(has(mnist.out, "--seq_length INT=200"));
  CHECK(has(mnist.out, "--epochs,--max_epochs"));
  CHECK(has(mnist.out, "--method"));
}

TEST_CASE("soma CLI: --tf32 is listed beside --device and is harmless on the cpu") {
  for (const char* task : {"mnist", "cifar10", "memory"}) {  // in every build, the page's too
    CAPTURE(task);
    auto help = run_cli({task, "--help"});
    CHECK(has(help.out, "--tf32"));
    TaskPtr t = make_task(task);
    ParamValues v(t->params());
    CHECK_FALSE(v.get_bool("tf32"));
    v.set_bool("tf32", true);
    CHECK_NOTHROW(check_device(v, t->runs_on_cuda(v)));  // device cpu: nothing to set
  }
}

TEST_CASE("soma CLI: bad flags and values exit with 2 and say what is wrong") {
  auto unknown = run_cli({"mnist", "--learnig_rate", "0.1"});
  CHECK(unknown.code == 2);
  CHECK(has(unknown.err, "--learnig_rate"));
  auto range = run_cli({"mnist", "--batch_size", "0"});
  CHECK(range.code == 2);
  CHECK(has(range.err, "--batch_size"));
  auto choice = run_cli({"cartpole", "--method", "superspike"});
  CHECK(choice.code == 2);
  CHECK(has(choice.err, "heaviside"));  // lists the valid surrogates
  auto cuda = run_cli({"cartpole", "--device", "cuda"});
  CHECK(cuda.code == 2);
#ifndef SOMA_CUDA
  CHECK(has(cuda.err, "no CUDA backend"));
#else
  CHECK(has(cuda.err, "do not run on the CUDA backend yet"));
  if (!cuda::available()) {  // a CUDA build on a machine without a usable GPU says why at setup
    auto none = run_cli({"mnist", "--device", "cuda"});
    CHECK(none.code == 2);
    CHECK(has(none.err, "--device cuda: no CUDA device"));
  }
#endif
  test::TempDir dir;
  std::string cfg = dir.file("bad.json", R"({"episodes": "many"})");
  auto file = run_cli({"cartpole", "--params", cfg});
  CHECK(file.code == 2);
  CHECK(has(file.err, cfg));
  CHECK(has(file.err, "episodes"));
}

TEST_CASE("soma CLI: Norse's flag spellings (--batch-size, --random_seed) are aliases") {
  // Hyphens reach the same parameter: its range check answers with the table's name.
  auto range = run_cli({"mnist", "--batch-size", "0"});
  CHECK(range.code == 2);
  CHECK(has(range.err, "--batch_size"));
  CHECK(run_cli({"mnist", "--batch-sise", "4"}).code == 2);  // a misspelling stays one
  test::TempDir dir;
  const std::string out = dir / "run";
  auto r = run_cli({"correlation", "--episodes=1", "--seq-length", "20", "--random_seed", "77",
                    "--learning-rate=0.05", "--out", out, "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  std::ifstream in(out + "/config.json");
  const std::string config((std::istreambuf_iterator<char>(in)), {});
  CHECK(has(config, "\"seed\": 77"));
  CHECK(has(config, "\"seq_length\": 20"));
  CHECK(has(config, "\"learning_rate\": 0.05"));
  r = run_cli({"correlation", "--episodes", "1", "--seq_length", "20", "--random-seed", "78",
               "--out", out, "--overwrite", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  // --help shows one spelling.
  auto help = run_cli({"mnist", "--help"});
  CHECK(has(help.out, "--batch_size"));
  CHECK_FALSE(has(help.out, "--batch-size"));
  CHECK_FALSE(has(help.out, "--random"));
}

TEST_CASE("soma CLI: a run writes config, metrics, checkpoint and plots, and resumes") {
  test::TempDir dir;
  std::string out = dir / "run";
  auto r =
      run_cli({"correlation", "--episodes", "3", "--seq_length", "40", "--out", out, "--quiet"});
  REQUIRE(r.code == 0);
  CHECK(has(r.out, "run folder: " + out));
  namespace fs = std::filesystem;
  CHECK(fs::exists(out + "/config.json"));
  CHECK(fs::exists(out + "/series.csv"));
  CHECK(fs::exists(out + "/plots/loss.svg"));
  CHECK(fs::exists(out + "/plots/hidden_spikes.svg"));
}

TEST_CASE(
    "soma CLI: a run prints its model's summary first, as Lightning does (not with --quiet)") {
  test::TempDir dir;
  const std::vector<std::string> base{"memory", "--samples",   "8", "--batch_size",
                                      "4",      "--max_steps", "1", "--limit_test_batches",
                                      "1"};
  auto args = base;
  args.insert(args.end(), {"--out", dir / "a"});
  auto r = run_cli(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.rfind("  | Name    | Type", 0) == 0);
  CHECK(has(r.out, "2 | readout | SpikingLinear        | 40\n"));
  CHECK(has(r.out, "640       Trainable params"));
  args = base;
  args.insert(args.end(), {"--out", dir / "b", "--quiet"});
  r = run_cli(args);
  REQUIRE(r.code == 0);
  CHECK(!has(r.out, "Trainable params"));
}
