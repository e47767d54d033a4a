#include "core/data/batch.hpp"

#include <algorithm>
#include <stdexcept>

namespace soma {

Batch make_batch(const Dataset& data, const std::vector<int64_t>& order, int64_t begin, int64_t end,
                 bool pinned) {
  if (begin < 0 || end > int64_t(order.size()) || begin >= end)
    throw std::out_of_range("make_batch: range [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") of " + std::to_string(order.size()));
  const int64_t b = end - begin, numel = data.image_numel();
  Batch out;
  out.indices.assign(order.begin() + begin, order.begin() + end);
  // Gathered straight into the batch's tensors: a vector and Tensor::from's copy of it cost a
  // Fashion-MNIST rec training step 0.1 ms (of 6).
  const Shape shape{b, data.channels, data.height, data.width};
  out.images = pinned ? Tensor::uninitialized_pinned(shape) : Tensor::uninitialized(shape);
  out.targets = pinned ? Tensor::uninitialized_pinned({b}) : Tensor::uninitialized({b});
  float *pixels = out.images.data(), *targets = out.targets.data();
  for (int64_t k = 0; k < b; ++k) {
    const int64_t i = out.indices[size_t(k)];
    std::copy_n(data.image(i), numel, pixels + k * numel);
    targets[k] = float(data.labels[size_t(i)]);
  }
  return out;
}

}  // namespace soma
