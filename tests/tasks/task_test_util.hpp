#pragma once
// Helpers for the task tests: running the `soma` command line in-process, and small synthetic
// data sets a network can learn in seconds.
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"

namespace soma::test {

struct CliResult {
  int code;
  std::string out, err;
};

CliResult run_cli(const std::vector<std::string>& args);

// 28 x 28 images of `n` samples in 10 classes: class c is a bright 7 x 7 square at one of ten
// grid positions, plus noise. Pixels in [0, 1], as a reader returns them.
Dataset squares_dataset(int64_t n, uint64_t seed);
// Writes train and test splits as IDX files into dir, as load_dataset expects them.
void write_squares_idx(const std::string& dir, int64_t train, int64_t test);

// 3 x 32 x 32 images of `n` samples in 3 classes (labels 0, 1, 2): class c has colour channel c
// bright (0.8) and the others dim (0.2), plus noise; a crop or a flip keeps the class.
Dataset colours_dataset(int64_t n, uint64_t seed);
// CIFAR-10's six binary files in dir: `per_file` samples in each data_batch_k.bin, `test` in
// test_batch.bin.
void write_colours_cifar10(const std::string& dir, int64_t per_file, int64_t test);

// The (x, y) points of one series in a run's series.csv (rows: series,x,y), in file order.
std::vector<std::pair<double, double>> read_series(const std::string& csv_path,
                                                   const std::string& name);

}  // namespace soma::test
