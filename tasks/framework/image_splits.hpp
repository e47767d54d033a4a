#pragma once
// The image tasks' data (mnist, cifar10): a training set with a validation split carved from its
// tail, and the test set, each behind a loader. One owner for the parameters that choose them
// (limit_train, limit_test, val_fraction) so both tasks read and check them alike.
#include <memory>
#include <string>

#include "core/data/loader.hpp"
#include "core/params/param_table.hpp"
#include "core/params/param_values.hpp"

namespace soma {

void add_image_split_params(ParamTable& t);

struct ImageSplits {
  std::shared_ptr<Dataset> train, val, test;  // val is test when val_fraction is 0
};
// Loads `name` ("mnist", "cifar10", ...) from the values' data_dir with the split parameters.
ImageSplits load_image_splits(const std::string& name, const ParamValues& v, bool normalize);

// The three loaders, and where training stands in its epoch.
class ImageLoaders {
 public:
  ImageLoaders() = default;
  // pin_memory: batches in pinned host memory, for a model on the GPU (DataLoader).
  ImageLoaders(const ImageSplits& s, int64_t batch_size, uint64_t seed, bool pin_memory = false);
  // Batch `batch` of `epoch`: the next one in the epoch's shuffled order, or, for a new epoch or a
  // resumed run, the order restarted and skipped ahead (the same batches an unbroken run sees).
  Batch train_batch(int64_t epoch, int64_t batch);
  int64_t batches_per_epoch() const { return train_->batches_per_epoch(); }
  // The validation or test loader, started from its first batch.
  DataLoader& eval(bool test);
  Batch first_test_batch();

 private:
  std::unique_ptr<DataLoader> train_, val_, test_;  // train shuffles; all keep a short last batch
  int64_t epoch_ = -1, next_batch_ = 0;
};

}  // namespace soma
