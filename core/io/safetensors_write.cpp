// Writing safetensors (format in safetensors.hpp).
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/io/atomic_write.hpp"
#include "core/io/safetensors.hpp"

namespace soma {
namespace {

void check_tensor(const std::string& name, const Tensor& t) {
  if (name == "__metadata__")
    throw std::invalid_argument("save_safetensors: '__metadata__' is reserved, not a tensor name");
  if (!t.defined())
    throw std::invalid_argument("save_safetensors: tensor '" + name + "' is undefined");
}

// The JSON header, space-padded to a multiple of 8 so the data section starts 8-byte aligned.
std::string make_header(const std::map<std::string, Tensor>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json h = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    check_tensor(name, t);
    uint64_t bytes = uint64_t(t.numel()) * sizeof(float);
    h[name] = {{"dtype", "F32"}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!metadata.empty()) h["__metadata__"] = metadata;
  std::string s;
  try {
    s = h.dump();
  } catch (const nlohmann::json::type_error& e) {
    throw std::invalid_argument(std::string("save_safetensors: a name or metadata string is not "
                                            "valid UTF-8: ") +
                                e.what());
  }
  s.append((8 - s.size() % 8) % 8, ' ');
  return s;
}

void write_u64_le(std::ostream& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char((v >> (8 * i)) & 0xff);
  out.write(b, 8);
}

void write_floats_le(std::ostream& out, const float* data, int64_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    out.write(reinterpret_cast<const char*>(data), std::streamsize(n * 4));
  } else {
    for (int64_t i = 0; i < n; ++i) {
      uint32_t u;
      std::memcpy(&u, &data[i], 4);
      char b[4] = {char(u), char(u >> 8), char(u >> 16), char(u >> 24)};
      out.write(b, 4);
    }
  }
}

void write_safetensors(std::ostream& out, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::string header = make_header(tensors, metadata);
  write_u64_le(out, header.size());
  out.write(header.data(), std::streamsize(header.size()));
  // Device-independent checkpoints: a cuda tensor is written from a host copy, and loads on
  // the cpu (move it with .cuda() after loading).
  for (const auto& [name, t] : tensors) {
    const Tensor host = t.device() == Device::cpu ? t : t.detach().cpu();
    write_floats_le(out, host.data(), host.numel());
  }
}

}  // namespace

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, [&](std::ostream& out) { write_safetensors(out, tensors, metadata); });
}

std::string encode_safetensors(const std::map<std::string, Tensor>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  std::ostringstream out;
  write_safetensors(out, tensors, metadata);
  return out.str();
}

}  // namespace soma
