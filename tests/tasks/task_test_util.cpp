#include "task_test_util.hpp"

#include <algorithm>
#include <fstream>

#include "core/data/cifar10.hpp"
#include "core/data/idx.hpp"
#include "core/random/rng.hpp"
#include "tasks/framework/cli.hpp"
#include "tasks/framework/csv.hpp"

namespace soma::test {

CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = soma_main(args, out, err);
  return {code, out.str(), err.str()};
}

Dataset squares_dataset(int64_t n, uint64_t seed) {
  Rng rng(seed);
  Dataset d{"squares", 1, 28, 28, {}, {}};
  for (int64_t i = 0; i < n; ++i) {
    int c = int(rng.below(10));
    int row = 1 + 9 * (c / 4), col = 1 + 7 * (c % 4);
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        bool on = y >= row && y < row + 7 && x >= col && x < col + 7;
        d.images.push_back(std::clamp((on ? 0.9f : 0.05f) + 0.1f * rng.normal(), 0.0f, 1.0f));
      }
    d.labels.push_back(c);
  }
  return d;
}

void write_squares_idx(const std::string& dir, int64_t train, int64_t test) {
  IdxFiles tr = idx_files(dir, "train"), te = idx_files(dir, "test");
  write_idx_dataset(squares_dataset(train, 1), tr.images, tr.labels);
  write_idx_dataset(squares_dataset(test, 2), te.images, te.labels);
}

Dataset colours_dataset(int64_t n, uint64_t seed) {
  Rng rng(seed);
  Dataset d{"colours", 3, 32, 32, {}, {}};
  for (int64_t i = 0; i < n; ++i) {
    const int c = int(rng.below(3));
    for (int ch = 0; ch < 3; ++ch)
      for (int k = 0; k < 32 * 32; ++k)
        d.images.push_back(std::clamp((ch == c ? 0.8f : 0.2f) + 0.1f * rng.normal(), 0.0f, 1.0f));
    d.labels.push_back(c);
  }
  return d;
}

void write_colours_cifar10(const std::string& dir, int64_t per_file, int64_t test) {
  const auto train = cifar10_files(dir, "train");
  for (size_t k = 0; k < train.size(); ++k)
    write_cifar10(train[k], colours_dataset(per_file, 10 + k));
  write_cifar10(cifar10_files(dir, "test")[0], colours_dataset(test, 99));
}

std::vector<std::pair<double, double>> read_series(const std::string& csv_path,
                                                   const std::string& name) {
  std::ifstream in(csv_path);
  std::vector<std::pair<double, double>> points;
  const std::string prefix = csv_field(name) + ",";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string xy = line.substr(prefix.size());
    const size_t comma = xy.find(',');
    points.emplace_back(std::stod(xy.substr(0, comma)), std::stod(xy.substr(comma + 1)));
  }
  return points;
}

}  // namespace soma::test
