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

struct ImageLoaders {
  std::unique_ptr<DataLoader> train, val, test;  // train shuffles; all keep a last short batch
};
ImageLoaders make_image_loaders(const ImageSplits& s, int64_t batch_size, uint64_t seed);

}  // namespace soma
