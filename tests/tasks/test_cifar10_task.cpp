#include <doctest/doctest.h>

#include <filesystem>

#include "core/data/cifar10.hpp"
#include "task_test_util.hpp"
#include "tasks/framework/accuracy.hpp"
#include "temp_dir.hpp"

using namespace soma;
using soma::test::run_cli;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double percent_after(const std::string& out, const std::string& label) {
  size_t at = out.find(label);
  REQUIRE_MESSAGE(at != std::string::npos, out);
  return std::stod(out.substr(at + label.size()));
}

}  // namespace

TEST_CASE("count_top_k: the target among the k best, ties broken as argmax") {
  Tensor s = Tensor::from({3, 4}, {0.1f, 0.9f, 0.5f, 0.2f,  //
                                   1, 1, 1, 1,              //
                                   0.3f, 0.2f, 0.1f, 0.4f});
  Tensor t = Tensor::from({3}, {2, 1, 0});
  CHECK(count_top_k(s, t, 1) == 0);  // row 1: all equal, argmax is class 0, not 1
  CHECK(count_top_k(s, t, 2) == 3);
  CHECK(count_top_k(s, Tensor::from({3}, {1, 0, 3}), 1) == 3);
  CHECK_THROWS_AS(count_top_k(s, Tensor::from({2}, {0, 0})), std::invalid_argument);
}

TEST_CASE("cifar10 task: missing files are named with where to put them, exit code 2") {
  test::TempDir dir;
  test::write_colours_cifar10(dir.path.string(), 2, 2);
  std::filesystem::remove(dir / "data_batch_3.bin");
  std::filesystem::remove(dir / "test_batch.bin");
  auto r = run_cli({"cifar10", "--data_dir", dir.path.string(), "--out", dir / "run", "--quiet"});
  CHECK(r.code == 2);
  CHECK(has(r.err, "missing data_batch_3.bin, test_batch.bin in " + dir.path.string()));
  CHECK(has(r.err, "cifar-10-binary.tar.gz"));
  CHECK_FALSE(std::filesystem::exists(dir / "run/checkpoint.safetensors"));
}

TEST_CASE("cifar10 task: Norse's network learns a small colour problem from binary files") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_colours_cifar10(data, 24, 30);  // 120 training images (12 for validation)
  auto r =
      run_cli({"cifar10", "--data_dir", data, "--channels", "4", "--seq_length", "32", "--epochs",
               "5", "--batch_size", "12", "--learning_rate", "5e-3", "--out", out, "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(percent_after(r.out, "test accuracy ") > 70.0);  // chance is 33%
  CHECK(percent_after(r.out, "top-5 ") >= percent_after(r.out, "test accuracy "));
  for (const char* f :
       {"metrics.csv", "checkpoint.safetensors", "series.csv", "plots/val_top_5_accuracy.svg"})
    CHECK_MESSAGE(std::filesystem::exists(out + "/" + f), std::string(f));
}

namespace {

// The x values of one series in a run's series.csv.
std::vector<double> series_x(const std::string& csv_path, const std::string& name) {
  std::vector<double> xs;
  for (const auto& [x, y] : test::read_series(csv_path, name)) xs.push_back(x);
  return xs;
}

}  // namespace

// The top-5 series were drawn against a count of evaluations, the other validation series
// against steps, so the two val plots disagreed on x as soon as --val_check_interval added
// points, and a resumed run started its count again at 1.
TEST_CASE("cifar10 task: top-5 points share the x of the top-1 points, resumed runs too") {
  test::TempDir dir;
  const std::string data = dir / "data", out = dir / "run";
  std::filesystem::create_directories(data);
  test::write_colours_cifar10(data, 12, 6);  // 60 training images, 6 of them for validation
  auto r = run_cli({"cifar10", "--data_dir", data, "--channels", "2", "--seq_length", "4",
                    "--batch_size", "8", "--val_check_interval", "2", "--epochs", "1", "--out", out,
                    "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  r = run_cli({"cifar10", "--resume", out, "--epochs", "2", "--quiet"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string csv = out + "/series.csv";
  const std::vector<double> top1 = series_x(csv, "val accuracy");
  CHECK(top1.size() == 8);  // steps 2, 4, 6 and the epoch's end (7) in each of two epochs
  CHECK(series_x(csv, "val top-5 accuracy") == top1);
  CHECK(series_x(csv, "test top-5 accuracy") == series_x(csv, "test accuracy"));
}
