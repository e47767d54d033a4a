#include "core/data/dataset.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/tensor/checked_size.hpp"

namespace soma {

int Dataset::num_classes() const {
  return labels.empty() ? 0 : 1 + *std::max_element(labels.begin(), labels.end());
}

Normalization standard_normalization(const std::string& name) {
  // MNIST and CIFAR-10: the values torchvision examples use. Fashion-MNIST: measured on its
  // training set (tests/core/test_data.cpp checks the test set is close).
  if (name == "mnist" || name == "mnist-10k") return {{0.1307f}, {0.3081f}};
  if (name == "fashion-mnist") return {{0.2860f}, {0.3530f}};
  if (name == "cifar10") return {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
  throw std::invalid_argument("no standard normalization for dataset '" + name + "'");
}

void normalize(Dataset& data, const Normalization& n) {
  const int64_t c = data.channels, plane = data.height * data.width;
  auto per_channel = [&](const std::vector<float>& v, const char* what) {
    if (v.size() != 1 && int64_t(v.size()) != c)
      throw std::invalid_argument(std::string("normalize: ") + what + " has " +
                                  std::to_string(v.size()) + " values for " + std::to_string(c) +
                                  " channels");
  };
  per_channel(n.mean, "mean");
  per_channel(n.stddev, "stddev");
  for (int64_t ch = 0; ch < c; ++ch) {
    const float m = n.mean[n.mean.size() == 1 ? 0 : ch];
    const float inv = 1.0f / n.stddev[n.stddev.size() == 1 ? 0 : ch];
    for (int64_t i = 0; i < data.size(); ++i) {
      float* p = data.images.data() + i * data.image_numel() + ch * plane;
      for (int64_t k = 0; k < plane; ++k) p[k] = (p[k] - m) * inv;
    }
  }
}

void truncate(Dataset& data, int64_t limit) {
  if (limit < 0 || limit >= data.size()) return;
  data.labels.resize(size_t(limit));
  data.images.resize(size_t(limit * data.image_numel()));
  data.images.shrink_to_fit();
  data.labels.shrink_to_fit();
}

void check_consistent(const Dataset& data, int num_classes) {
  if (int64_t(data.images.size()) !=
      checked_mul(data.size(), data.image_numel(), data.name + ": samples x pixels"))
    throw std::runtime_error(data.name + ": " + std::to_string(data.size()) + " labels but " +
                             std::to_string(data.images.size()) + " pixel values");
  for (int64_t i = 0; i < data.size(); ++i)
    if (data.labels[i] < 0 || data.labels[i] >= num_classes)
      throw std::runtime_error(data.name + ": label " + std::to_string(data.labels[i]) +
                               " of sample " + std::to_string(i) + " is outside [0, " +
                               std::to_string(num_classes) + ")");
}

Dataset split_tail(Dataset& data, double fraction) {
  Dataset tail = data;
  const int64_t n_tail = int64_t(double(data.size()) * fraction), n_head = data.size() - n_tail;
  tail.images.erase(tail.images.begin(), tail.images.begin() + n_head * data.image_numel());
  tail.labels.erase(tail.labels.begin(), tail.labels.begin() + n_head);
  truncate(data, n_head);
  return tail;
}

}  // namespace soma
