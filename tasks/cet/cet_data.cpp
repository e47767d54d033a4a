#include "tasks/cet/cet_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <stdexcept>

#include "core/data/catalog.hpp"

namespace soma {
namespace {

void standardise(Dataset& d) {
  const bool cifar = d.name == "cifar10" || d.channels == 3;
  const float scale[3] = {0.2023f, 0.1994f, 0.2010f}, shift[3] = {0.4914f, 0.4822f, 0.4465f};
  const int64_t n = d.size(), hw = d.height * d.width;
  for (int64_t c = 0; c < d.channels; ++c) {
    double s = 0, ss = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t p = 0; p < hw; ++p) {
        double v = d.images[size_t((i * d.channels + c) * hw + p)];
        s += v;
        ss += v * v;
      }
    const double cnt = double(n * hw), mean = s / cnt;
    const double sd = std::sqrt(std::max(1e-12, ss / cnt - mean * mean));
    const float k = cifar ? scale[c] : 0.5f, m = cifar ? shift[c] : 0.5f;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t p = 0; p < hw; ++p) {
        float& v = d.images[size_t((i * d.channels + c) * hw + p)];
        v = float((v - mean) / sd) * k + m;
      }
  }
}

}  // namespace

CetData load_cet_data(const std::string& dataset, const std::string& data_dir) {
  LoadOptions lo{data_dir, -1, false};
  if (lo.data_dir.empty() && dataset == "mnist" && std::filesystem::exists(kCetMnistDir))
    lo.data_dir = kCetMnistDir;
  CetData out{std::make_shared<Dataset>(load_dataset(dataset, "train", lo)),
              std::make_shared<Dataset>(load_dataset(dataset, "test", lo))};
  standardise(*out.train);
  standardise(*out.test);
  return out;
}

std::vector<std::vector<int64_t>> class_groups(const Dataset& d, int64_t n_groups) {
  const int classes = d.num_classes();
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(classes));
  for (int64_t i = 0; i < d.size(); ++i) by_class[size_t(d.labels[size_t(i)])].push_back(i);
  size_t smallest = d.labels.empty() ? 0 : by_class[0].size();
  for (const auto& c : by_class) smallest = std::min(smallest, c.size());
  std::vector<std::vector<int64_t>> items;
  for (const auto& c : by_class)
    for (size_t k = 0; k + size_t(n_groups) <= smallest; k += size_t(n_groups))
      items.emplace_back(c.begin() + int64_t(k), c.begin() + int64_t(k) + n_groups);
  return items;
}

Episode make_episode(const Dataset& d, const std::vector<std::vector<int64_t>>& items,
                     int64_t frames, int64_t interp, bool flip) {
  std::vector<int64_t> sources;
  for (const auto& it : items) sources.insert(sources.end(), it.begin(), it.end());
  if (sources.empty()) throw std::invalid_argument("make_episode: no source images");
  const int64_t numel = d.image_numel(), classes = d.num_classes();
  Episode e{Tensor::zeros({frames, d.channels, d.height, d.width}),
            Tensor::zeros({frames, classes}), std::vector<int>(size_t(frames), 0)};
  for (int64_t f = 0; f < frames; ++f) {
    double total = 0;
    std::vector<std::pair<int64_t, double>> w;
    for (int64_t s = 0; s < int64_t(sources.size()); ++s) {
      const double gap = double(f - s * interp);
      if (std::abs(gap) >= double(interp)) continue;
      const double v =
          interp == 1 ? 1.0 : 0.5 * (1 + std::cos(std::numbers::pi * gap / double(interp)));
      if (v > 0) w.emplace_back(sources[size_t(s)], v), total += v;
    }
    if (w.empty()) w.emplace_back(sources.back(), 1.0), total = 1;  // past the last source
    float* dst = e.images.data() + f * numel;
    for (auto [idx, v] : w) {
      const float a = float(v / total);
      const float* src = d.image(idx);
      for (int64_t p = 0; p < numel; ++p) dst[p] += a * src[p];
      e.targets.data()[f * classes + d.labels[size_t(idx)]] += a;
    }
    const float* t = e.targets.data() + f * classes;
    e.labels[size_t(f)] = int(std::max_element(t, t + classes) - t);
  }
  if (flip) {
    const int64_t rows = frames * d.channels * d.height;
    for (int64_t r = 0; r < rows; ++r)
      std::reverse(e.images.data() + r * d.width, e.images.data() + (r + 1) * d.width);
  }
  return e;
}

}  // namespace soma
