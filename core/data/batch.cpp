#include "core/data/batch.hpp"

#include <algorithm>
#include <stdexcept>

namespace soma {

Batch make_batch(const Dataset& data, const std::vector<int64_t>& order, int64_t begin,
                 int64_t end) {
  if (begin < 0 || end > int64_t(order.size()) || begin >= end)
    throw std::out_of_range("make_batch: range [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") of " + std::to_string(order.size()));
  const int64_t b = end - begin, numel = data.image_numel();
  Batch out;
  out.indices.assign(order.begin() + begin, order.begin() + end);
  std::vector<float> pixels(static_cast<size_t>(b * numel)), targets(static_cast<size_t>(b));
  for (int64_t k = 0; k < b; ++k) {
    const int64_t i = out.indices[size_t(k)];
    std::copy_n(data.image(i), numel, pixels.begin() + k * numel);
    targets[size_t(k)] = float(data.labels[size_t(i)]);
  }
  out.images = Tensor::from({b, data.channels, data.height, data.width}, std::move(pixels));
  out.targets = Tensor::from({b}, std::move(targets));
  return out;
}

}  // namespace soma
