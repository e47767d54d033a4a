// Reading safetensors (format in safetensors.hpp). The header is checked in full against the size
// of the bytes before any tensor data is read, so a malformed file is an error, never a crash.
#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "core/io/json_text.hpp"
#include "core/io/safetensors.hpp"

namespace soma {
namespace {

// Random access to a file or a buffer, so a large checkpoint is never held in memory twice.
struct ByteSource {
  std::string name;
  uint64_t size = 0;
  std::function<void(uint64_t offset, uint64_t n, char* dst)> read;  // within [0, size)
};

struct Entry {
  std::string name;
  Shape shape;
  uint64_t begin = 0, end = 0;  // relative to the data section
};

constexpr uint64_t kMaxHeader = 100'000'000;  // Python's safetensors refuses larger headers too

[[noreturn]] void fail(const ByteSource& src, const std::string& problem) {
  throw std::runtime_error(src.name + ": " + problem);
}

uint64_t read_u64_le(const ByteSource& src, uint64_t offset) {
  unsigned char b[8];
  src.read(offset, 8, reinterpret_cast<char*>(b));
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

bool is_count(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

Shape parse_shape(const ByteSource& src, const std::string& name, const nlohmann::json& j) {
  if (!j.is_array()) fail(src, "tensor '" + name + "': shape is not an array");
  if (j.size() > size_t(kMaxDims))
    fail(src, "tensor '" + name + "' has " + std::to_string(j.size()) +
                  " dimensions; at most 5 are supported");
  Shape shape;
  for (const auto& d : j) {
    if (!is_count(d) || d.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      fail(src, "tensor '" + name + "': shape " + json_excerpt(j) + " is not a list of sizes");
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

// numel * 4 of the shape; UINT64_MAX on overflow, which no pair of offsets can match.
uint64_t f32_bytes(const Shape& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d == 0) return 0;
    if (n > std::numeric_limits<uint64_t>::max() / 4 / uint64_t(d))
      return std::numeric_limits<uint64_t>::max();
    n *= uint64_t(d);
  }
  return n * 4;
}

Entry parse_entry(const ByteSource& src, const std::string& name, const nlohmann::json& j,
                  uint64_t data_size) {
  if (!j.is_object()) fail(src, "tensor '" + name + "': header entry is not an object");
  auto dtype = j.find("dtype");
  if (dtype == j.end() || !dtype->is_string()) fail(src, "tensor '" + name + "': no dtype");
  if (*dtype != "F32")
    fail(src, "tensor '" + name + "' has dtype " + dtype->get<std::string>() +
                  "; only F32 is supported");
  auto shape = j.find("shape");
  if (shape == j.end()) fail(src, "tensor '" + name + "': no shape");
  Entry e{name, parse_shape(src, name, *shape)};
  auto offs = j.find("data_offsets");
  if (offs == j.end() || !offs->is_array() || offs->size() != 2 || !is_count((*offs)[0]) ||
      !is_count((*offs)[1]))
    fail(src, "tensor '" + name + "': data_offsets is not a pair of byte offsets");
  e.begin = (*offs)[0].get<uint64_t>();
  e.end = (*offs)[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size)
    fail(src, "tensor '" + name + "': data_offsets " + json_excerpt(*offs) +
                  " lie outside the data section of " + std::to_string(data_size) + " bytes");
  if (f32_bytes(e.shape) != e.end - e.begin)
    fail(src, "tensor '" + name + "': shape " + to_string(e.shape) + " needs " +
                  std::to_string(f32_bytes(e.shape)) + " bytes of F32 but data_offsets " +
                  json_excerpt(*offs) + " span " + std::to_string(e.end - e.begin));
  return e;
}

std::map<std::string, std::string> parse_metadata(const ByteSource& src, const nlohmann::json& j) {
  if (!j.is_object()) fail(src, "__metadata__ is not an object");
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string())
      fail(src, "__metadata__ maps strings to strings, but '" + k + "' is a " + v.type_name());
    out[k] = v.get<std::string>();
  }
  return out;
}

void check_no_overlap(const ByteSource& src, std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].begin < entries[i - 1].end)
      fail(src, "tensors '" + entries[i - 1].name + "' and '" + entries[i].name +
                    "' overlap in the data section");
}

Tensor read_tensor(const ByteSource& src, const Entry& e, uint64_t data_start) {
  std::vector<float> values(size_t((e.end - e.begin) / 4));
  if (!values.empty())
    src.read(data_start + e.begin, e.end - e.begin, reinterpret_cast<char*>(values.data()));
  if constexpr (std::endian::native == std::endian::big) {
    for (float& x : values) {
      unsigned char b[4];
      std::memcpy(b, &x, 4);
      std::swap(b[0], b[3]);
      std::swap(b[1], b[2]);
      std::memcpy(&x, b, 4);
    }
  }
  return Tensor::from(e.shape, std::move(values));
}

nlohmann::json read_header(const ByteSource& src, uint64_t& header_len) {
  if (src.size < 8)
    fail(src, "truncated: " + std::to_string(src.size) +
                  " bytes, too short for the 8-byte header length");
  header_len = read_u64_le(src, 0);
  if (header_len > src.size - 8)
    fail(src, "truncated or not safetensors: header length " + std::to_string(header_len) +
                  " runs past the end of the " + std::to_string(src.size) + " bytes");
  if (header_len > kMaxHeader)
    fail(src, "header length " + std::to_string(header_len) + " is implausibly large");
  std::string text(size_t(header_len), '\0');
  if (header_len) src.read(8, header_len, text.data());
  nlohmann::json h;
  try {
    h = parse_json(text, "header");  // depth-bounded: a shape nested 10^6 deep is an error
  } catch (const JsonError& e) {
    fail(src, std::string("the header is not valid JSON: ") + e.what());
  }
  if (!h.is_object()) fail(src, "the header is not a JSON object");
  return h;
}

SafetensorsData decode(const ByteSource& src) {
  uint64_t header_len = 0;
  nlohmann::json h = read_header(src, header_len);
  const uint64_t data_start = 8 + header_len, data_size = src.size - data_start;
  SafetensorsData out;
  std::vector<Entry> entries;
  for (const auto& [key, v] : h.items()) {
    if (key == "__metadata__")
      out.metadata = parse_metadata(src, v);
    else
      entries.push_back(parse_entry(src, key, v, data_size));
  }
  check_no_overlap(src, entries);
  for (const Entry& e : entries) out.tensors.emplace(e.name, read_tensor(src, e, data_start));
  return out;
}

}  // namespace

SafetensorsData load_safetensors(const std::string& path) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in) throw std::runtime_error(path + ": cannot open the file");
  in->seekg(0, std::ios::end);
  auto size = in->tellg();
  if (size < 0) throw std::runtime_error(path + ": cannot determine the file size");
  ByteSource src{path, uint64_t(size), nullptr};
  src.read = [in, path](uint64_t offset, uint64_t n, char* dst) {
    in->seekg(std::streamoff(offset));
    in->read(dst, std::streamsize(n));
    if (uint64_t(in->gcount()) != n)
      throw std::runtime_error(path + ": read failed (did the file change while loading?)");
  };
  return decode(src);
}

SafetensorsData decode_safetensors(std::string_view bytes, const std::string& source) {
  ByteSource src{source, bytes.size(), [bytes](uint64_t offset, uint64_t n, char* dst) {
                   std::memcpy(dst, bytes.data() + offset, size_t(n));
                 }};
  return decode(src);
}

}  // namespace soma
