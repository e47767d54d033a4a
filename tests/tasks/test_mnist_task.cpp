#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/io/safetensors.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/class_names.hpp"
#include "tasks/mnist/mnist_task.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The percentage after "test accuracy " in the CLI's last lines.
double test_accuracy(const std::string& out) {
  size_t at = out.find("test accuracy ");
  REQUIRE(at != std::string::npos);
  return std::stod(out.substr(at + 14));
}

int count_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

std::vector<std::string> small_run(const std::string& data, const std::string& out,
                                   const std::string& model, int epochs) {
  return {"mnist",
          "--data_dir",
          data,
          "--model",
          model,
          "--seq_length",
          "32",
          "--batch_size",
          "32",
          "--epochs",
          std::to_string(epochs),
          "--learning_rate",
          "5e-3",
          "--limit_train",
          "320",
          "--limit_test",
          "200",
          "--out",
          out,
          "--quiet"};
}

}  // namespace

TEST_CASE("mnist task: the recurrent SNN learns a small image problem, and resumes") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 320, 200);
  auto first = run_cli(small_run(data, out, "rec", 3));
  REQUIRE_MESSAGE(first.code == 0, first.err);
  CHECK(test_accuracy(first.out) > 60.0);         // chance is 10%
  CHECK(count_lines(out + "/metrics.csv") == 5);  // header + 3 epochs + test
  for (const char* f : {"config.json", "checkpoint.safetensors", "plots/loss.svg",
                        "plots/hidden_spikes__first_test_image_.svg"})
    CHECK(std::filesystem::exists(out + "/" + f));

  auto resumed = run_cli({"mnist", "--resume", out, "--epochs", "4", "--quiet"});
  REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
  CHECK(count_lines(out + "/metrics.csv") == 6);  // the fourth epoch after the first three
  CHECK(has(resumed.out, "after 4 epochs"));
}

TEST_CASE("mnist task: the recurrent SNN learns with the current and Poisson encoders") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 320, 200);
  std::string encoder = "current", scale = "0.3";
  SUBCASE("current") {}
  SUBCASE("poisson") {
    encoder = "poisson", scale = "8";
  }
  std::vector<std::string> args = small_run(data, dir / "run", "rec", 3);
  args.insert(args.end(), {"--encoder", encoder, "--input_scale", scale});
  auto r = run_cli(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  MESSAGE(encoder << " " << test_accuracy(r.out));
  CHECK(test_accuracy(r.out) > 60.0);
}

TEST_CASE(
    "mnist task: --learn_neuron_params learns, resumes, and exports each neuron's constants") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 320, 200);
  std::vector<std::string> args = small_run(data, out, "rec", 3);
  args.push_back("--learn_neuron_params");
  auto r = run_cli(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(test_accuracy(r.out) > 60.0);
  const auto ck = load_safetensors(out + "/checkpoint.safetensors");
  REQUIRE(ck.tensors.count("model.rec.mem_logit"));
  const Tensor mem = ck.tensors.at("model.rec.mem_logit");
  float lo = mem.data()[0], hi = lo;
  for (int64_t k = 0; k < mem.numel(); ++k)
    lo = std::min(lo, mem.data()[k]), hi = std::max(hi, mem.data()[k]);
  CHECK(hi - lo > 1e-3f);  // the neurons' time constants moved apart
  for (const char* plot : {"learned_time_constants.svg", "learned_thresholds.svg"})
    CHECK_MESSAGE(std::filesystem::exists(out + "/plots/" + plot), plot);
  auto resumed = run_cli({"mnist", "--resume", out, "--epochs", "4", "--quiet"});
  REQUIRE_MESSAGE(resumed.code == 0, resumed.err);
  CHECK(has(resumed.out, "after 4 epochs"));
  // The conv model has no recurrent LIF layer: the flag is refused by name, not ignored.
  std::vector<std::string> conv = small_run(data, dir / "conv", "conv", 1);
  conv.push_back("--learn_neuron_params");
  auto refused = run_cli(conv);
  CHECK(refused.code != 0);
  CHECK(has(refused.err, "--learn_neuron_params: only for --model rec"));
  auto exported = run_cli({"export-nir", out, dir / "rec.nir"});
  REQUIRE_MESSAGE(exported.code == 0, exported.err);
  auto imported = run_cli({"import-nir", dir / "rec.nir"});
  REQUIRE_MESSAGE(imported.code == 0, imported.err);
  CHECK(has(imported.out, "test accuracy"));
}

TEST_CASE("mnist task: the conv SNN runs a few steps") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 64, 32);
  auto r = run_cli({"mnist", "--data_dir", data, "--model", "conv", "--seq_length", "4",
                    "--batch_size", "16", "--epochs", "1", "--out", dir / "run", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(has(r.out, "4 steps"));
}

TEST_CASE("mnist task: a corrupt data file fails with its name and sizes, exit code 1") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 20, 10);
  std::filesystem::resize_file(data + "/train-images-idx3-ubyte", 1000);
  auto r = run_cli({"mnist", "--data_dir", data, "--out", dir / "run", "--quiet"});
  CHECK(r.code == 1);
  CHECK(has(r.err, "train-images-idx3-ubyte"));
}

TEST_CASE("mnist task: missing data files are named, with where to put them, exit code 2") {
  test::TempDir dir;
  auto r = run_cli({"mnist", "--data_dir", dir / "empty", "--out", dir / "run", "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "no folder " + (dir / "empty")));
  std::filesystem::create_directories(dir / "data");
  test::write_squares_idx(dir / "data", 20, 10);
  std::filesystem::remove(dir / "data" + "/t10k-labels-idx1-ubyte");
  r = run_cli({"mnist", "--data_dir", dir / "data", "--out", dir / "run", "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "t10k-labels-idx1-ubyte"));
}

namespace {

// The baseline: a MnistTask that never publishes its pictures.
struct MnistWithoutPictures : MnistTask {
  void publish_pictures() override {}
};

}  // namespace

TEST_CASE("mnist task: pictures appear at epoch ends during a run and leave the run unchanged") {
  test::TempDir dir;
  const std::string data = dir / "data";
  std::filesystem::create_directories(data);
  test::write_squares_idx(data, 120, 40);
  auto start = [&](MnistTask& t) {
    ParamValues v(t.params());
    v.set_string("data_dir", data);
    v.set_string("model", "rec");
    v.set_string("encoder", "poisson");  // draws from the encoder's stream: pictures must not
    v.set_int("hidden", 20);
    v.set_int("seq_length", 8);
    v.set_int("batch_size", 2);  // 54 steps an epoch: pictures after the first
    v.set_int("epochs", 2);
    t.setup(v, {});
  };
  MnistTask with;
  MnistWithoutPictures without;
  start(with);
  start(without);
  while (!with.done() && with.telemetry().rasters().empty()) with.step();
  const Series* epochs = with.telemetry().find_series("train accuracy");
  REQUIRE(epochs != nullptr);
  CHECK(epochs->y.size() == 1);  // the first epoch's end, long before the run's
  CHECK_FALSE(with.done());
  const Traces* volts = with.telemetry().find_traces("read-out voltages (first test image)");
  REQUIRE(volts != nullptr);
  CHECK(volts->labels == image_class_names("mnist"));  // the legend names the digits
  CHECK(volts->labels[9] == "digit 9");
  while (!with.done()) with.step();
  while (!without.done()) without.step();
  const Series *a = with.telemetry().find_series("loss"),
               *b = without.telemetry().find_series("loss");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->y.size() == 108);
  CHECK(a->y == b->y);  // bit for bit: the pictures drew nothing from the training's streams
}
