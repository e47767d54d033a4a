#include "tasks/framework/image_splits.hpp"

#include "core/backend/malloc_policy.hpp"
#include "core/data/catalog.hpp"

namespace soma {

void add_image_split_params(ParamTable& t) {
  t.add_int("limit_train", 0, "use the first N training images (0: all)").min(0).restart();
  t.add_int("limit_test", 0, "use the first N test images (0: all)").min(0).restart();
  t.add_float("val_fraction", 0.1, "share of the training set held out for validation")
      .range(0, 0.9)
      .restart();
}

ImageSplits load_image_splits(const std::string& name, const ParamValues& v, bool normalize) {
  const std::string dir = v.get_string("data_dir");
  check_dataset_files(name, dir);
  auto limit = [&](const char* key) { return v.get_int(key) > 0 ? v.get_int(key) : -1; };
  ImageSplits s;
  s.train = std::make_shared<Dataset>(
      load_dataset(name, "train", LoadOptions{dir, limit("limit_train"), normalize}));
  s.test = std::make_shared<Dataset>(
      load_dataset(name, "test", LoadOptions{dir, limit("limit_test"), normalize}));
  const double vf = v.get_float("val_fraction");
  s.val = vf > 0 ? std::make_shared<Dataset>(split_tail(*s.train, vf)) : s.test;
  // Batches gather images at random: 2 MB pages keep the gather out of page walks
  // (malloc_policy.hpp).
  for (Dataset* d : {s.train.get(), s.test.get()}) use_huge_pages(d->images);
  return s;
}

ImageLoaders::ImageLoaders(const ImageSplits& s, int64_t batch_size, uint64_t seed, bool pin_memory)
    : train_(std::make_unique<DataLoader>(
          s.train, LoaderOptions{batch_size, true, false, seed, true, pin_memory})),
      val_(std::make_unique<DataLoader>(
          s.val, LoaderOptions{batch_size, false, false, seed, true, pin_memory})),
      test_(std::make_unique<DataLoader>(
          s.test, LoaderOptions{batch_size, false, false, seed, true, pin_memory})) {}

Batch ImageLoaders::train_batch(int64_t epoch, int64_t batch) {
  if (epoch != epoch_ || batch != next_batch_) {
    train_->start_epoch(epoch);
    for (int64_t k = 0; k < batch; ++k) train_->next();
    epoch_ = epoch;
  }
  next_batch_ = batch + 1;
  return *train_->next();
}

DataLoader& ImageLoaders::eval(bool test) {
  DataLoader& l = test ? *test_ : *val_;
  l.start_epoch(0);
  return l;
}

Batch ImageLoaders::first_test_batch() {
  return *eval(true).next();
}

}  // namespace soma
