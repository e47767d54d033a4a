#include "core/data/idx.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "core/data/file_bytes.hpp"
#include "core/io/atomic_write.hpp"

namespace soma {
namespace {

constexpr uint8_t kUbyte = 0x08;

uint32_t big_endian_u32(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) << 24 | uint32_t(uint8_t(b[at + 1])) << 16 |
         uint32_t(uint8_t(b[at + 2])) << 8 | uint32_t(uint8_t(b[at + 3]));
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", unsigned(v));
  return buf;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
  return s;
}

void check_header(const std::string& path, const std::string& b, int expected_dims) {
  if (b.size() < 4)
    throw std::runtime_error(path + ": truncated IDX file: expected at least 4 header bytes, " +
                             "found " + std::to_string(b.size()));
  if (b[0] != 0 || b[1] != 0 || uint8_t(b[2]) != kUbyte)
    throw std::runtime_error(path + ": not an unsigned-byte IDX file: magic " +
                             hex32(big_endian_u32(b, 0)) + ", expected 0x0000080" +
                             (expected_dims ? std::to_string(expected_dims) : "d"));
  const int d = uint8_t(b[3]);
  if (d == 0 || (expected_dims && d != expected_dims))
    throw std::runtime_error(path + ": IDX file has " + std::to_string(d) +
                             " dimensions, expected " +
                             (expected_dims ? std::to_string(expected_dims) : "at least 1"));
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_dims) {
  const std::string b = read_file_bytes(path);
  check_header(path, b, expected_dims);
  const size_t d = uint8_t(b[3]), header = 4 + 4 * d;
  if (b.size() < header)
    throw std::runtime_error(path + ": truncated IDX header: expected " + std::to_string(header) +
                             " bytes, found " + std::to_string(b.size()));
  IdxArray a;
  uint64_t count = 1;
  bool overflow = false;  // (16, 2^30, 2^30) would wrap the count to 0 and pass the size check
  for (size_t i = 0; i < d; ++i) {
    a.dims.push_back(big_endian_u32(b, 4 + 4 * i));
    overflow |= __builtin_mul_overflow(count, uint64_t(a.dims.back()), &count);
  }
  if (overflow || count > uint64_t(b.size()))
    throw std::runtime_error(path + ": IDX size mismatch: dims " + dims_text(a.dims) +
                             " need more bytes than the file's " + std::to_string(b.size()));
  if (b.size() != header + count)
    throw std::runtime_error(path + ": IDX size mismatch: expected " +
                             std::to_string(header + count) + " bytes (" + std::to_string(header) +
                             " header + " + dims_text(a.dims) + "), found " +
                             std::to_string(b.size()));
  a.data.assign(b.begin() + std::ptrdiff_t(header), b.end());
  return a;
}

void write_idx(const std::string& path, const IdxArray& a) {
  size_t count = 1;
  for (int64_t n : a.dims) count *= size_t(n);
  if (a.dims.empty() || a.dims.size() > 255 || count != a.data.size())
    throw std::invalid_argument(path + ": write_idx: dims " + dims_text(a.dims) + " do not hold " +
                                std::to_string(a.data.size()) + " bytes");
  std::string b{'\0', '\0', char(kUbyte), char(a.dims.size())};
  for (int64_t n : a.dims)
    for (int s = 24; s >= 0; s -= 8) b += char((uint64_t(n) >> s) & 0xff);
  b.append(a.data.begin(), a.data.end());
  write_file_atomic(path, b);
}

IdxFiles idx_files(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test")
    throw std::invalid_argument("IDX split must be 'train' or 'test', not '" + split + "'");
  const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  return {prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"};
}

IdxFiles find_idx_files(const std::string& dir, const std::string& split) {
  IdxFiles f = idx_files(dir, split);
  for (std::string* p : {&f.images, &f.labels}) {
    if (std::filesystem::exists(*p)) continue;
    if (!std::filesystem::exists(*p + ".gz"))
      throw std::runtime_error("missing " + *p + " (or " + *p + ".gz)");
    *p += ".gz";
  }
  return f;
}

Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, int num_classes) {
  const IdxArray img = read_idx(images_path, 3), lab = read_idx(labels_path, 1);
  if (img.dims[0] == 0 || img.dims[1] == 0 || img.dims[2] == 0)
    throw std::runtime_error(images_path + ": holds no images (dims " + dims_text(img.dims) + ")");
  if (img.dims[0] != lab.dims[0])
    throw std::runtime_error(name + ": " + images_path + " holds " + std::to_string(img.dims[0]) +
                             " images but " + labels_path + " holds " +
                             std::to_string(lab.dims[0]) + " labels");
  Dataset ds;
  ds.name = name;
  ds.channels = 1;
  ds.height = img.dims[1];
  ds.width = img.dims[2];
  ds.images.resize(img.data.size());
  for (size_t i = 0; i < img.data.size(); ++i) ds.images[i] = float(img.data[i]) / 255.0f;
  ds.labels.assign(lab.data.begin(), lab.data.end());
  check_consistent(ds, num_classes);
  return ds;
}

void write_idx_dataset(const Dataset& data, const std::string& images_path,
                       const std::string& labels_path) {
  if (data.channels != 1)
    throw std::invalid_argument(data.name + ": IDX image files hold one channel, not " +
                                std::to_string(data.channels));
  IdxArray img{{data.size(), data.height, data.width}, {}}, lab{{data.size()}, {}};
  img.data.reserve(data.images.size());
  for (float x : data.images)
    img.data.push_back(uint8_t(std::lround(std::clamp(x, 0.0f, 1.0f) * 255.0f)));
  for (int y : data.labels) {
    if (y < 0 || y > 255) throw std::invalid_argument(data.name + ": label does not fit a byte");
    lab.data.push_back(uint8_t(y));
  }
  write_idx(images_path, img);
  write_idx(labels_path, lab);
}

}  // namespace soma
