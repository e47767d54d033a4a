#include "tasks/framework/image_splits.hpp"

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
  return s;
}

ImageLoaders make_image_loaders(const ImageSplits& s, int64_t batch_size, uint64_t seed) {
  return {
      std::make_unique<DataLoader>(s.train, LoaderOptions{batch_size, true, false, seed, true}),
      std::make_unique<DataLoader>(s.val, LoaderOptions{batch_size, false, false, seed, true}),
      std::make_unique<DataLoader>(s.test, LoaderOptions{batch_size, false, false, seed, true})};
}

}  // namespace soma
