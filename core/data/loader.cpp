#include "core/data/loader.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/backend/cuda_runtime.hpp"
#include "core/data/prefetch.hpp"
#include "core/random/rng.hpp"
#include "core/tensor/checked_size.hpp"

namespace soma {
namespace {

// Batch k of size b (the last one may be shorter).
Batch nth_batch(const Dataset& data, const std::vector<int64_t>& order, int64_t b, int64_t k,
                bool pinned) {
  const int64_t n = int64_t(order.size()), begin = k * b;  // k * b <= n: k < ceil(n / b)
  return make_batch(data, order, begin, begin + std::min(b, n - begin), pinned);
}

}  // namespace

uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  // Rng::reseed scrambles with splitmix64, so nearby (seed, epoch) pairs give unrelated streams.
  return seed ^ (0x9E3779B97F4A7C15ull * uint64_t(epoch + 1));
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> data, const LoaderOptions& options)
    : data_(std::move(data)), options_(options) {
  if (!data_) throw std::invalid_argument("DataLoader: no dataset");
  if (options_.batch_size < 1)
    throw std::invalid_argument("DataLoader: batch_size must be >= 1, not " +
                                std::to_string(options_.batch_size));
  if (options_.pin_memory) cuda::require_available("DataLoader with pin_memory");
#ifndef __EMSCRIPTEN__
  if (options_.prefetch && spare_cpu_for_worker()) prefetcher_ = std::make_unique<Prefetcher>();
#endif
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::batches_per_epoch() const {
  const int64_t n = data_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : ceil_div(n, b);  // n + b - 1 overflows for b near 2^63
}

void DataLoader::start_epoch(int64_t epoch) {
  auto order = std::make_shared<std::vector<int64_t>>(size_t(data_->size()));
  std::iota(order->begin(), order->end(), int64_t(0));
  if (options_.shuffle) {
    Rng rng(epoch_seed(options_.seed, epoch));
    rng.shuffle(*order);
  }
  order_ = std::move(order);
  next_ = 0;
  started_ = true;
#ifndef __EMSCRIPTEN__
  if (prefetcher_)
    prefetcher_->restart(
        batches_per_epoch(),
        [data = data_, order = order_, b = options_.batch_size, pinned = options_.pin_memory](
            int64_t k) { return nth_batch(*data, *order, b, k, pinned); });
#endif
}

std::optional<Batch> DataLoader::next() {
  if (!started_) throw std::logic_error("DataLoader::next before start_epoch");
  if (next_ >= batches_per_epoch()) return std::nullopt;
  const int64_t k = next_++;
#ifndef __EMSCRIPTEN__
  if (prefetcher_) return prefetcher_->take();
#endif
  return nth_batch(*data_, *order_, options_.batch_size, k, options_.pin_memory);
}

}  // namespace soma
