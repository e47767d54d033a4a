#pragma once
// DataLoader: mini-batches over a Dataset, epoch by epoch.
//   loader.start_epoch(e);
//   while (auto batch = loader.next()) { ... batch->images (B, C, H, W), batch->targets (B) }
// Order: with shuffle, epoch e visits the samples in a permutation drawn from
// Rng(epoch_seed(seed, e)), so an epoch's order depends only on (seed, e) (a run can resume at
// any epoch); without shuffle, in dataset order. Every sample appears exactly once per epoch;
// the last partial batch is kept unless drop_last. With prefetch (native builds), a worker thread
// builds the next batch while the caller trains on the current one; the batches are the same as
// without it. Under Emscripten, and where the process may use only one CPU (prefetch.hpp),
// prefetch is ignored. With pin_memory (a CUDA build with a device, as torch's DataLoader),
// batches are built in pinned host memory, so that their copies to the GPU are queued without
// the host waiting; with prefetch the GPU then never waits for the loader.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/data/batch.hpp"
#include "core/data/dataset.hpp"

namespace soma {

class Prefetcher;

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;
  uint64_t seed = 0;
  bool prefetch = true;
  bool pin_memory = false;
};

uint64_t epoch_seed(uint64_t seed, int64_t epoch);

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> data, const LoaderOptions& options = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  const Dataset& dataset() const { return *data_; }
  const LoaderOptions& options() const { return options_; }
  int64_t batches_per_epoch() const;

  // Starts (or restarts) epoch `epoch`; a batch still queued from before is dropped.
  void start_epoch(int64_t epoch);
  // The next batch of the current epoch, or nullopt after its last one.
  std::optional<Batch> next();

 private:
  std::shared_ptr<const Dataset> data_;
  LoaderOptions options_;
  std::shared_ptr<const std::vector<int64_t>> order_;  // shared with batches being prefetched
  int64_t next_ = 0;
  bool started_ = false;
  std::unique_ptr<Prefetcher> prefetcher_;
};

}  // namespace soma
