// Reading safetensors (format in safetensors.hpp). The header is checked in full against the size
// of the bytes before any tensor data is read, so a malformed file is an error, never a crash.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
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

// The element types Soma reads; everything becomes float32 on load. F64 rounds to nearest,
// F16 and BF16 widen exactly (every half and bfloat16 value is a float32 value).
enum class DType { f32, f64, f16, bf16 };

struct Entry {
  std::string name;
  Shape shape;
  DType dtype = DType::f32;
  uint64_t begin = 0, end = 0;  // relative to the data section
};

uint64_t element_bytes(DType t) {
  return t == DType::f64 ? 8 : t == DType::f32 ? 4 : 2;
}

bool parse_dtype(const std::string& s, DType& t) {
  static const std::map<std::string, DType> known{
      {"F32", DType::f32}, {"F64", DType::f64}, {"F16", DType::f16}, {"BF16", DType::bf16}};
  auto it = known.find(s);
  if (it == known.end()) return false;
  t = it->second;
  return true;
}

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

// numel * element size of the shape; UINT64_MAX on overflow, which no pair of offsets can match.
uint64_t data_bytes(const Shape& shape, uint64_t element) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d == 0) return 0;
    if (n > std::numeric_limits<uint64_t>::max() / element / uint64_t(d))
      return std::numeric_limits<uint64_t>::max();
    n *= uint64_t(d);
  }
  return n * element;
}

Entry parse_entry(const ByteSource& src, const std::string& name, const nlohmann::json& j,
                  uint64_t data_size) {
  if (!j.is_object()) fail(src, "tensor '" + name + "': header entry is not an object");
  auto dtype = j.find("dtype");
  if (dtype == j.end() || !dtype->is_string()) fail(src, "tensor '" + name + "': no dtype");
  DType type;
  if (!parse_dtype(*dtype, type))
    fail(src, "tensor '" + name + "' has dtype " + dtype->get<std::string>() +
                  "; supported: F32, F64, F16, BF16");
  auto shape = j.find("shape");
  if (shape == j.end()) fail(src, "tensor '" + name + "': no shape");
  Entry e{name, parse_shape(src, name, *shape), type};
  auto offs = j.find("data_offsets");
  if (offs == j.end() || !offs->is_array() || offs->size() != 2 || !is_count((*offs)[0]) ||
      !is_count((*offs)[1]))
    fail(src, "tensor '" + name + "': data_offsets is not a pair of byte offsets");
  e.begin = (*offs)[0].get<uint64_t>();
  e.end = (*offs)[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size)
    fail(src, "tensor '" + name + "': data_offsets " + json_excerpt(*offs) +
                  " lie outside the data section of " + std::to_string(data_size) + " bytes");
  const uint64_t need = data_bytes(e.shape, element_bytes(e.dtype));
  if (need != e.end - e.begin)
    fail(src, "tensor '" + name + "': shape " + to_string(e.shape) + " needs " +
                  std::to_string(need) + " bytes of " + dtype->get<std::string>() +
                  " but data_offsets " + json_excerpt(*offs) + " span " +
                  std::to_string(e.end - e.begin));
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

// Little-endian unsigned integer of `n` bytes at p.
uint64_t load_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

// IEEE binary16 -> float32, exactly (subnormals, infinities and NaNs included).
float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  float mag;
  if (exp == 0)
    mag = std::ldexp(float(man), -24);  // zero or subnormal: man * 2^-24
  else if (exp == 31)
    mag = man ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    mag = std::ldexp(float(man | 0x400), int(exp) - 25);
  return sign ? -mag : mag;
}

// std::bit_cast, which Emscripten 3.1.6's libc++ lacks.
template <class To, class From>
To bits_as(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

float decode_element(const unsigned char* p, DType t) {
  switch (t) {
    case DType::f32:
      return bits_as<float>(uint32_t(load_le(p, 4)));
    case DType::f64:
      return float(bits_as<double>(load_le(p, 8)));
    case DType::f16:
      return half_to_float(uint16_t(load_le(p, 2)));
    case DType::bf16:
      return bits_as<float>(uint32_t(load_le(p, 2)) << 16);
  }
  return 0;
}

Tensor read_tensor(const ByteSource& src, const Entry& e, uint64_t data_start) {
  const uint64_t size = element_bytes(e.dtype), n = (e.end - e.begin) / size;
  std::vector<float> values(static_cast<size_t>(n));
  if (e.dtype == DType::f32 && std::endian::native == std::endian::little) {
    if (n) src.read(data_start + e.begin, e.end - e.begin, reinterpret_cast<char*>(values.data()));
  } else {
    std::vector<unsigned char> raw(static_cast<size_t>(e.end - e.begin));
    if (n) src.read(data_start + e.begin, e.end - e.begin, reinterpret_cast<char*>(raw.data()));
    for (uint64_t k = 0; k < n; ++k)
      values[size_t(k)] = decode_element(&raw[size_t(k * size)], e.dtype);
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
