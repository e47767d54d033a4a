// Hostile and careless input to the core readers (issue 19): sizes that overflow int64 or the
// machine, JSON nested 10^5 deep or holding 1e400, IDX dims that wrap, files that never end
// (/dev/zero) and gzip bombs. Each case crashed, hung or lied before its fix; now each is an
// error that names the file and the problem.
#include <doctest/doctest.h>

#include "error_of.hpp"
#ifndef __EMSCRIPTEN__
#include <zlib.h>
#endif

#include <cstdint>
#include <limits>
#include <string>

#include "core/data/dataset.hpp"
#include "core/data/file_bytes.hpp"
#include "core/data/idx.hpp"
#include "core/data/loader.hpp"
#include "core/io/json_text.hpp"
#include "core/io/safetensors.hpp"
#include "core/params/param_json.hpp"
#include "core/params/param_values.hpp"
#include "core/tensor/checked_size.hpp"
#include "core/tensor/tensor.hpp"
#include "temp_dir.hpp"

using namespace soma;
using test::TempDir;

namespace {

using test::error_of;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string deep_array(int depth) {
  return std::string(size_t(depth), '[') + std::string(size_t(depth), ']');
}

// A safetensors file: 8-byte little-endian header length, header, data.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += char((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return out + header + data;
}

}  // namespace

TEST_CASE("checked sizes: overflow and negative operands throw SizeError naming the quantity") {
  CHECK(checked_mul(3, 4, "x") == 12);
  CHECK(checked_add(kInt64Max - 1, 1, "x") == kInt64Max);
  CHECK(contains(error_of([] { checked_mul(kInt64Max, 2, "batch bytes"); }), "batch bytes"));
  CHECK_THROWS_AS(checked_add(kInt64Max, 1, "x"), SizeError);
  CHECK_THROWS_AS(checked_mul(-1, 2, "x"), SizeError);
  CHECK(checked_product({16, int64_t(1) << 30, int64_t(1) << 16}, "x") == int64_t(1) << 50);
  CHECK_THROWS_AS(checked_product({16, int64_t(1) << 30, int64_t(1) << 30}, "x"), SizeError);
  CHECK(ceil_div(kInt64Max, kInt64Max) == 1);  // (n + d - 1) / d overflowed here
  CHECK(ceil_div(10, kInt64Max) == 1);
  CHECK(ceil_div(10, 3) == 4);
  CHECK(ceil_div(0, 3) == 0);
  CHECK(format_bytes(512) == "512 bytes");
  CHECK(format_bytes(int64_t(3) << 29) == "1.5 GiB");
}

TEST_CASE("checked sizes: a tensor larger than the machine is a SizeError before allocating") {
  CHECK(memory_limit_bytes() > (int64_t(1) << 26));
  const std::string e = error_of([] { Tensor::zeros({int64_t(1) << 40, 1 << 20}); });
  CHECK(contains(e, "more than the"));
  CHECK_THROWS_AS(Tensor::zeros({int64_t(1) << 40, int64_t(1) << 40}), SizeError);  // wraps int64
  CHECK_THROWS_AS(numel_of({int64_t(1) << 32, int64_t(1) << 32}), SizeError);
  // One float more than the machine holds (in WebAssembly, where size_t is 32 bits, 2^30 floats
  // were 4 GiB that wrapped to 0 bytes).
  CHECK_THROWS_AS(Tensor::zeros({memory_limit_bytes() / 4 + 1}), SizeError);
  CHECK_NOTHROW(check_fits_memory(1 << 20, "a little"));
}

TEST_CASE("loader: batch_size 2^63 - 1 gives one batch of everything, not an overflow") {
  auto data = std::make_shared<Dataset>();
  data->name = "toy";
  data->channels = data->height = data->width = 1;
  data->images = {0.1f, 0.2f, 0.3f};
  data->labels = {0, 1, 0};
  for (int64_t b : {kInt64Max, kInt64Max - 1, int64_t(3), int64_t(2)}) {
    CAPTURE(b);
    DataLoader loader(data, LoaderOptions{b, true, false, 1, false});
    CHECK(loader.batches_per_epoch() == ceil_div(3, b));
    loader.start_epoch(0);
    int64_t seen = 0;
    while (auto batch = loader.next()) seen += batch->targets.numel();
    CHECK(seen == 3);
  }
}

TEST_CASE("json: nesting is bounded before parsing; errors name the source, 1e400 included") {
  CHECK(json_depth("{\"a\": [1, {\"b\": \"[[[[\"}]}") == 3);  // brackets in strings do not count
  CHECK(json_depth("\"\\\"[\"") == 0);
  CHECK(json_depth("3") == 0);
  CHECK(parse_json(deep_array(kMaxJsonDepth), "ok.json").is_array());
  std::string e = error_of([] { parse_json(deep_array(100000), "deep.json"); });
  CHECK((contains(e, "deep.json") && contains(e, "100000 levels")));
  e = error_of([] { parse_json("{\"epochs\": 1e400}", "big.json"); });
  CHECK((contains(e, "big.json") && contains(e, "1e400")));
  e = error_of([] { parse_json("{\"a\": ", "cut.json"); });
  CHECK((contains(e, "cut.json") && contains(e, "syntax error")));
  // An excerpt for a message stays short and shallow whatever the value.
  nlohmann::json flat = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) flat.push_back(i);
  CHECK(json_excerpt(flat).size() < 240);
  nlohmann::json deep = nlohmann::json::parse(deep_array(60));
  CHECK(contains(json_excerpt(deep), "[...]"));
  CHECK(json_excerpt(nlohmann::json(std::string("\xff"))) == "\"\xef\xbf\xbd\"");
}

TEST_CASE("json files: a device or a huge file stops at the size cap with the file's name") {
  TempDir dir;
  const std::string big = dir.file("big.json", std::string(3000, ' ') + "{}");
  CHECK(read_json_file(big, 4096).is_object());
  CHECK(contains(error_of([&] { read_json_file(big, 1000); }), big));
  // /dev/urandom never ends (Emscripten's file system has it too): it once hung the web page.
  const std::string e = error_of([] { read_json_file("/dev/urandom"); });
  CHECK((contains(e, "/dev/urandom") && contains(e, "a device")));
}

TEST_CASE("params JSON: deep nesting, 1e400 and /dev/zero are ParamErrors naming the file") {
  TempDir dir;
  ParamTable t;
  t.add_int("epochs", 1, "passes").min(1);
  ParamValues v(t);
  const std::string deep = dir.file("deep.json", "{\"epochs\": " + deep_array(100000) + "}");
  std::string e = error_of([&] { apply_params_json_file(v, deep); });
  CHECK((contains(e, deep) && contains(e, "levels deep")));
  const std::string huge = dir.file("huge.json", "{\"epochs\": 1e400}");
  e = error_of([&] { apply_params_json_file(v, huge); });
  CHECK(contains(e, huge));
  CHECK_THROWS_AS(apply_params_json_file(v, huge), ParamError);
#ifndef __EMSCRIPTEN__
  e = error_of([&] { apply_params_json_file(v, "/dev/zero"); });
  CHECK((contains(e, "/dev/zero") && contains(e, "a device")));
#endif
  CHECK(v.get_int("epochs") == 1);
}

TEST_CASE("safetensors: a header nested 10^6 deep or with a huge shape is an error naming it") {
  TempDir dir;
  std::string p =
      dir.file("deep.safetensors",
               safetensors_bytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [" + deep_array(1000000) +
                                     "], \"data_offsets\": [0, 0]}}",
                                 ""));
  std::string e = error_of([&] { load_safetensors(p); });
  CHECK((contains(e, p) && contains(e, "levels deep")));
  // A shape nested just within the bound: the message quotes it without recursing 64 deep.
  p = dir.file("nested.safetensors",
               safetensors_bytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [" + deep_array(60) +
                                     "], \"data_offsets\": [0, 0]}}",
                                 ""));
  e = error_of([&] { load_safetensors(p); });
  CHECK((contains(e, p) && contains(e, "not a list of sizes")));
  // 2^31 x 2^31 x 4 bytes overflows uint64 arithmetic in 32-bit size_t and int64 alike.
  p = dir.file("huge.safetensors",
               safetensors_bytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [2147483648, "
                                 "2147483648, 4], \"data_offsets\": [0, 8]}}",
                                 std::string(8, '\0')));
  CHECK(contains(error_of([&] { load_safetensors(p); }), p));
}

TEST_CASE("idx: dims whose product wraps to 0 and files of 0 images are errors, not crashes") {
  TempDir dir;
  // (16, 2^30, 2^30): 2^64 bytes, which wrapped to 0 and matched a header-only file.
  const std::string header =
      std::string("\0\0\x08\x03", 4) + be32(16) + be32(1u << 30) + be32(1u << 30);
  std::string p = dir.file("wrap-images", header);
  std::string e = error_of([&] { read_idx(p, 3); });
  CHECK((contains(e, p) && contains(e, "16 x 1073741824 x 1073741824")));
  const std::string labels =
      dir.file("labels", std::string("\0\0\x08\x01", 4) + be32(16) + std::string(16, '\0'));
  CHECK(contains(error_of([&] { read_idx_dataset(p, labels, "toy"); }), p));

  const std::string empty_images =
      dir.file("empty-images", std::string("\0\0\x08\x03", 4) + be32(0) + be32(28) + be32(28));
  const std::string empty_labels =
      dir.file("empty-labels", std::string("\0\0\x08\x01", 4) + be32(0));
  e = error_of([&] { read_idx_dataset(empty_images, empty_labels, "toy"); });
  CHECK((contains(e, empty_images) && contains(e, "no images")));
  const std::string zero_width =
      dir.file("zero-width", std::string("\0\0\x08\x03", 4) + be32(16) + be32(28) + be32(0));
  CHECK(contains(error_of([&] { read_idx_dataset(zero_width, labels, "toy"); }), "no images"));
}

TEST_CASE("data files: a never-ending file and a gzip bomb stop at the cap with the file's name") {
  TempDir dir;
  const std::string e = error_of([] { read_file_bytes("/dev/urandom"); });
  CHECK((contains(e, "/dev/urandom") && contains(e, "a device")));
  const std::string big = dir.file("big.idx", std::string(5000, 'x'));
  CHECK(contains(error_of([&] { read_file_bytes(big, 4096); }), big + ": larger than 4.0 KiB"));
#ifndef __EMSCRIPTEN__
  // 8 MiB of zeros compress to about 8 KiB: the cap applies to what comes out.
  const std::string zeros(8 << 20, '\0');
  uLongf n = compressBound(uLong(zeros.size()));
  std::string deflated(n, '\0');
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
  z.avail_in = uInt(zeros.size());
  z.next_out = reinterpret_cast<Bytef*>(deflated.data());
  z.avail_out = uInt(n);
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  deflated.resize(z.total_out);
  deflateEnd(&z);
  CHECK(deflated.size() < 64 << 10);
  const std::string bomb = dir.file("bomb.gz", deflated);
  const std::string b = error_of([&] { read_file_bytes(bomb, 1 << 20); });
  CHECK((contains(b, bomb) && contains(b, "decompresses to more than 1.0 MiB")));
  CHECK(read_file_bytes(bomb, 16 << 20).size() == zeros.size());
#endif
}
