#pragma once
// A labelled image dataset held in memory: N images of C x H x W floats (row-major, image after
// image) and N integer labels. Readers (idx.hpp, cifar10.hpp) fill it with pixels in [0, 1];
// normalize() then maps x -> (x - mean_c) / std_c per channel, e.g. MNIST (0.1307, 0.3081).
#include <cstdint>
#include <string>
#include <vector>

namespace soma {

struct Dataset {
  std::string name;
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float> images;  // size() * channels * height * width
  std::vector<int> labels;

  int64_t size() const { return int64_t(labels.size()); }
  int64_t image_numel() const { return channels * height * width; }
  const float* image(int64_t i) const { return images.data() + i * image_numel(); }
  // 1 + the largest label (0 for an empty set).
  int num_classes() const;
};

// Per-channel statistics; one value applies to every channel.
struct Normalization {
  std::vector<float> mean{0.0f};
  std::vector<float> stddev{1.0f};
};

// The usual training-set statistics of the named dataset (mnist, fashion-mnist, cifar10);
// throws for another name.
Normalization standard_normalization(const std::string& name);
void normalize(Dataset& data, const Normalization& n);
// Keeps the first `limit` samples (limit < 0 or >= size keeps all).
void truncate(Dataset& data, int64_t limit);
// Moves the last `fraction` of `data` (rounded down) into the returned Dataset: a validation set
// carved from the training set.
Dataset split_tail(Dataset& data, double fraction);
// Throws unless images and labels agree in count and every label is in [0, num_classes).
void check_consistent(const Dataset& data, int num_classes);

}  // namespace soma
