#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "core/io/safetensors.hpp"
#include "temp_dir.hpp"

using namespace soma;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An 8-byte little-endian header length, the header, the data: a file as the format defines it.
std::string build(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += char((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return out + header + data;
}

// Raw little-endian float32 bytes, spelled out so the test does not share the writer's code.
const std::string kOneMinusTwo("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);  // 1.0f, -2.0f

std::string load_error(const std::string& path) {
  try {
    load_safetensors(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  FAIL("expected a std::runtime_error");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("safetensors: round trip of a scalar, a 5-D tensor, an empty one and metadata") {
  TempDir dir;
  std::map<std::string, Tensor> tensors;
  tensors["scalar"] = Tensor::scalar(3.5f);
  std::vector<float> five(2 * 1 * 3 * 1 * 2);
  for (size_t i = 0; i < five.size(); ++i) five[i] = float(i) * 0.25f - 1;
  tensors["layer.5d"] = Tensor::from({2, 1, 3, 1, 2}, five);
  tensors["w"] = Tensor::from({2, 3}, {1e-30f, -0.f, 3.4e38f, 1, 2, 3});
  tensors["empty"] = Tensor::zeros({0, 3});
  std::map<std::string, std::string> meta{{"epoch", "3"}, {"task", "memory"}};

  std::string path = (dir.path / "ckpt.safetensors").string();
  save_safetensors(path, tensors, meta);
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  CHECK(fs::file_size(path) % 4 == 0);

  SafetensorsData back = load_safetensors(path);
  CHECK(back.metadata == meta);
  REQUIRE(back.tensors.size() == tensors.size());
  for (const auto& kv : tensors) {
    const std::string& name = kv.first;  // not a structured binding: clang 14 cannot capture one
    const Tensor& t = kv.second;
    CAPTURE(name);
    REQUIRE(back.tensors.count(name) == 1);
    CHECK(back.tensors[name].shape() == t.shape());
    CHECK(back.tensors[name].to_vector() == t.to_vector());
  }
  CHECK(back.tensors["scalar"].dim() == 0);
  CHECK(back.tensors["scalar"].item() == 3.5f);

  // Saving again replaces the file whole, and in memory gives the same bytes as on disk.
  tensors.erase("w");
  save_safetensors(path, tensors);
  CHECK(load_safetensors(path).tensors.size() == 3);
  CHECK(load_safetensors(path).metadata.empty());
  CHECK(read_bytes(path) == encode_safetensors(tensors));
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("safetensors: exact bytes of a small file, written and read") {
  TempDir dir;
  std::string path = (dir.path / "w.safetensors").string();
  save_safetensors(path, {{"w", Tensor::from({2}, {1.0f, -2.0f})}});
  // 54 bytes of JSON (nlohmann sorts keys) padded with 2 spaces to 56 = 0x38.
  std::string want = std::string("\x38\0\0\0\0\0\0\0", 8) +
                     R"({"w":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}})" + "  " +
                     kOneMinusTwo;
  CHECK(read_bytes(path) == want);

  // Hand-built, as another writer might lay it out: metadata first, keys in another order,
  // tensors not in name order, a 0-d scalar.
  std::string header = R"({"__metadata__": {"format": "pt"}, )"
                       R"("b": {"dtype": "F32", "shape": [], "data_offsets": [8, 12]}, )"
                       R"("a": {"shape": [1, 2], "dtype": "F32", "data_offsets": [0, 8]}})";
  std::string bytes = build(header, kOneMinusTwo + std::string("\x00\x00\x40\x40", 4));  // 3.0f
  for (const SafetensorsData& d :
       {decode_safetensors(bytes), load_safetensors(dir.file("hand.safetensors", bytes))}) {
    CHECK(d.metadata == std::map<std::string, std::string>{{"format", "pt"}});
    REQUIRE(d.tensors.size() == 2);
    CHECK(d.tensors.at("a").shape() == Shape{1, 2});
    CHECK(d.tensors.at("a").to_vector() == std::vector<float>{1.0f, -2.0f});
    CHECK(d.tensors.at("b").shape() == Shape{});
    CHECK(d.tensors.at("b").item() == 3.0f);
  }
}

TEST_CASE("safetensors: tensors are laid out back to back in name order") {
  std::string bytes = encode_safetensors(
      {{"z", Tensor::zeros({3})}, {"a", Tensor::zeros({2, 2})}, {"m", Tensor::scalar(1)}});
  CHECK(contains(bytes, R"("a":{"data_offsets":[0,16])"));
  CHECK(contains(bytes, R"("m":{"data_offsets":[16,20])"));
  CHECK(contains(bytes, R"("z":{"data_offsets":[20,32])"));
  uint64_t header_len = uint8_t(bytes[0]);
  CHECK(header_len % 8 == 0);
  CHECK(bytes.size() == 8 + header_len + 32);
}

TEST_CASE("safetensors: malformed files are rejected with the file name") {
  TempDir dir;
  auto rejected = [&](const std::string& bytes, const std::string& problem) {
    std::string path = dir.file("bad.safetensors", bytes);
    std::string msg = load_error(path);
    CHECK_MESSAGE(contains(msg, path), msg);
    CHECK_MESSAGE(contains(msg, problem), msg);
  };
  auto entry = [](const std::string& dtype, const std::string& shape, const std::string& offs) {
    return R"({"dtype": ")" + dtype + R"(", "shape": )" + shape + R"(, "data_offsets": )" + offs +
           "}";
  };
  const std::string good = build(R"({"w": )" + entry("F32", "[2]", "[0, 8]") + "}", kOneMinusTwo);
  REQUIRE(decode_safetensors(good).tensors.size() == 1);

  rejected("", "too short");
  rejected(good.substr(0, 5), "too short");
  rejected(good.substr(0, 30), "header length");              // cut inside the header
  rejected(good.substr(0, good.size() - 1), "data_offsets");  // cut inside the data
  rejected(std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8) + "{}", "header length");
  rejected(build("not json at all!", ""), "not valid JSON");
  rejected(build("[1, 2, 3]", ""), "not a JSON object");
  rejected(build(R"({"w": )" + entry("I32", "[2]", "[0, 8]") + "}", kOneMinusTwo), "dtype I32");
  rejected(build(R"({"w": )" + entry("F16", "[2]", "[0, 8]") + "}", kOneMinusTwo),
           "4 bytes of F16");
  rejected(build(R"({"w": )" + entry("F32", "[3]", "[0, 8]") + "}", kOneMinusTwo), "span 8");
  rejected(build(R"({"w": )" + entry("F32", "[2]", "[4, 12]") + "}", kOneMinusTwo), "outside");
  rejected(build(R"({"w": )" + entry("F32", "[2]", "[8, 0]") + "}", kOneMinusTwo), "outside");
  rejected(build(R"({"w": )" + entry("F32", "[2]", "[0]") + "}", kOneMinusTwo), "data_offsets");
  rejected(build(R"({"w": )" + entry("F32", "[-2]", "[0, 8]") + "}", kOneMinusTwo), "shape");
  rejected(build(R"({"w": )" + entry("F32", "[1,1,1,1,1,2]", "[0, 8]") + "}", kOneMinusTwo),
           "6 dimensions");
  rejected(
      build(R"({"w": )" + entry("F32", "[4294967296, 4294967296]", "[0, 8]") + "}", kOneMinusTwo),
      "needs");
  rejected(build(R"({"a": )" + entry("F32", "[2]", "[0, 8]") + R"(, "b": )" +
                     entry("F32", "[1]", "[4, 8]") + "}",
                 kOneMinusTwo),
           "overlap");
  rejected(build(R"({"__metadata__": {"epoch": 3}})", ""), "__metadata__");
  std::string missing = (dir.path / "missing.safetensors").string();
  CHECK(contains(load_error(missing), missing));
}

// Little-endian bytes of the given unsigned values, `width` bytes each.
static std::string le_bytes(std::initializer_list<uint64_t> values, int width) {
  std::string out;
  for (uint64_t v : values)
    for (int k = 0; k < width; ++k) out += char((v >> (8 * k)) & 0xFF);
  return out;
}

TEST_CASE("safetensors: F16, BF16 and F64 tensors are converted to float32 on load") {
  // Bit patterns and their values from the IEEE 754 binary16 / bfloat16 / binary64 layouts:
  // F16 0x3C00 = 1, 0xC000 = -2, 0x0001 = 2^-24 (smallest subnormal), 0x7BFF = 65504 (largest),
  // 0x3555 = 0.333251953125, 0xFC00 = -inf; BF16 0x3F80 = 1, 0xC000 = -2, 0x3EAB = 0.333984375;
  // F64 0x3FB999999999999A = 0.1 (rounds to 0.1f), 0xC004000000000000 = -2.5.
  const std::string data = le_bytes({0x3C00, 0xC000, 0x0001, 0x7BFF, 0x3555, 0xFC00}, 2) +
                           le_bytes({0x3F80, 0xC000, 0x3EAB, 0}, 2) +
                           le_bytes({0x3FB999999999999Aull, 0xC004000000000000ull}, 8);
  const std::string header = R"({"h": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},)"
                             R"( "b": {"dtype": "BF16", "shape": [4], "data_offsets": [12, 20]},)"
                             R"( "d": {"dtype": "F64", "shape": [2], "data_offsets": [20, 36]}})";
  SafetensorsData d = decode_safetensors(build(header, data));
  const Tensor& h = d.tensors.at("h");
  CHECK(h.shape() == Shape{2, 3});
  CHECK(h.data()[0] == 1.0f);
  CHECK(h.data()[1] == -2.0f);
  CHECK(h.data()[2] == std::ldexp(1.0f, -24));
  CHECK(h.data()[3] == 65504.0f);
  CHECK(h.data()[4] == 0.333251953125f);
  CHECK(std::isinf(h.data()[5]));
  CHECK(h.data()[5] < 0);
  const Tensor& b = d.tensors.at("b");
  CHECK(b.data()[0] == 1.0f);
  CHECK(b.data()[1] == -2.0f);
  CHECK(b.data()[2] == 0.333984375f);
  CHECK(b.data()[3] == 0.0f);
  const Tensor& f = d.tensors.at("d");
  CHECK(f.data()[0] == 0.1f);
  CHECK(f.data()[1] == -2.5f);
}

TEST_CASE("safetensors: save rejects what it cannot write and leaves no temp file") {
  TempDir dir;
  std::string path = (dir.path / "x.safetensors").string();
  CHECK_THROWS_AS(save_safetensors(path, {{"u", Tensor()}}), std::invalid_argument);
  CHECK_THROWS_AS(save_safetensors(path, {{"__metadata__", Tensor::zeros({1})}}),
                  std::invalid_argument);
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  CHECK_THROWS_AS(save_safetensors((dir.path / "no/such/dir/x").string(), {}), std::runtime_error);
}
