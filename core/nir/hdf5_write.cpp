#include "core/nir/hdf5_write.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/nir/hdf5_format.hpp"

namespace soma::nir {
namespace {

using hdf5::kDataspace, hdf5::kLinkInfo, hdf5::kDatatype, hdf5::kFillValue, hdf5::kLink,
    hdf5::kLayout, hdf5::kGroupInfo, hdf5::kUndefined;
constexpr size_t kMinHeap = 4096;          // a global heap collection's least size
constexpr size_t kMaxHeapObjects = 65535;  // its object indices are 16-bit, 0 is free space

// Little-endian appends (HDF5 stores every integer field little-endian).
struct Bytes {
  std::string b;
  void u8(uint64_t v) { b.push_back(char(v & 0xff)); }
  void u16(uint64_t v) { le(v, 2); }
  void u32(uint64_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void raw(const void* p, size_t n) { b.append(static_cast<const char*>(p), n); }
  void zeros(size_t n) { b.append(n, '\0'); }
  void le(uint64_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) u8(v >> (8 * k));
  }
};

struct Message {
  uint8_t type;
  uint8_t flags;  // bit 0: constant (HDF5 marks datatype and fill value messages so)
  std::string data;
};

size_t align8(size_t n) {
  return (n + 7) / 8 * 8;
}

std::string dataspace(const std::vector<int64_t>& shape) {
  Bytes m;
  m.u8(2), m.u8(shape.size()), m.u8(0), m.u8(shape.empty() ? 0 : 1);  // scalar or simple
  for (int64_t d : shape) m.u64(uint64_t(d));
  return m.b;
}

// Class and version (1) in one byte, then the class's 24 bits of flags and the element size.
void type_head(Bytes& m, int cls, uint32_t flags, uint32_t size) {
  m.u8(uint8_t(cls | 1 << 4)), m.u8(flags), m.u8(flags >> 8), m.u8(flags >> 16), m.u32(size);
}

// IEEE little-endian binary32 or binary64: the implied-msb mantissa (normalisation 2, bits 4-5)
// and the sign bit's position in the flags; offset, precision and the fields' places after.
std::string ieee_type(int bits) {
  const bool f64 = bits == 64;
  Bytes m;
  type_head(m, 1, 0x20 | uint32_t(bits - 1) << 8, uint32_t(bits / 8));
  m.u16(0), m.u16(bits);
  m.u8(f64 ? 52 : 23), m.u8(f64 ? 11 : 8), m.u8(0), m.u8(f64 ? 52 : 23);
  m.u32(f64 ? 1023 : 127);
  return m.b;
}

std::string integer_type(bool is_signed, int bits) {
  Bytes m;
  type_head(m, 0, is_signed ? 0x08 : 0, uint32_t(bits / 8));
  m.u16(0), m.u16(bits);
  return m.b;
}

// Variable-length string (type 1), null-terminated, UTF-8, over unsigned bytes: what libhdf5
// writes for a str with H5T_VARIABLE. An element on disk is 4 + 8 + 4 bytes.
std::string vlen_string_type() {
  Bytes m;
  type_head(m, 9, 0x01 | 0x01 << 8, 16);
  m.b += integer_type(false, 8);
  return m.b;
}

std::string fill_value() {
  Bytes m;
  m.u8(3), m.u8(2 | 2 << 2);  // allocated late, written if set (libhdf5's contiguous default)
  return m.b;
}

std::string contiguous(uint64_t address, uint64_t size) {
  Bytes m;
  m.u8(3), m.u8(1), m.u64(address), m.u64(size);
  return m.b;
}

// A hard link; the name's length field is as wide as it needs, and a non-ASCII name says UTF-8.
std::string link(const std::string& name, uint64_t address) {
  const bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  const int width = name.size() < 256 ? 0 : name.size() < 65536 ? 1 : 2;
  Bytes m;
  m.u8(1), m.u8(width | (ascii ? 0 : 0x10));
  if (!ascii) m.u8(1);
  m.le(name.size(), 1 << width);
  m.raw(name.data(), name.size());
  m.u64(address);
  return m.b;
}

// Link Info with neither a fractal heap nor a name index: every link lives in the header.
std::string link_info() {
  Bytes m;
  m.u8(0), m.u8(0), m.u64(kUndefined), m.u64(kUndefined);
  return m.b;
}

std::string group_info() {
  return std::string(2, '\0');  // version 0, no stored limits (libhdf5's defaults apply)
}

// Name checks: HDF5 paths use '/' and '.', and a link needs a name.
void check_name(const std::string& name, const std::string& where) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos)
    throw std::invalid_argument("HDF5: group '" + where + "' has a member named '" + name +
                                "' (empty, '.' or with '/')");
}

class Writer {
 public:
  std::string file = std::string(48, '\0');  // the superblock, filled in at the end

  // Every string dataset's values, in the order write_group meets them, go into global heap
  // collections written first; write_group then hands out their references in that order.
  void write_heaps(const Tree& root) {
    std::vector<const std::string*> all;
    collect(root, all);
    for (size_t first = 0; first < all.size(); first += kMaxHeapObjects)
      write_heap(
          {all.begin() + first, all.begin() + std::min(all.size(), first + kMaxHeapObjects)});
  }

  uint64_t write_group(const Tree& t, const std::string& where) {
    std::vector<std::pair<std::string, uint64_t>> members;
    for (const auto& [name, a] : t.arrays) members.push_back({name, write_array(a, name)});
    for (const auto& [name, s] : t.strings) members.push_back({name, write_strings(s, name)});
    for (const auto& [name, sub] : t.groups)
      members.push_back({name, write_group(sub, where + name + "/")});
    std::sort(members.begin(), members.end());
    std::vector<Message> messages{{kLinkInfo, 0, link_info()}, {kGroupInfo, 0, group_info()}};
    for (size_t k = 0; k < members.size(); ++k) {
      check_name(members[k].first, where);
      if (k && members[k].first == members[k - 1].first)
        throw std::invalid_argument("HDF5: group '" + where + "' has two members named '" +
                                    members[k].first + "'");
      messages.push_back({kLink, 0, link(members[k].first, members[k].second)});
    }
    return object_header(messages);
  }

  void finish(uint64_t root) {
    Bytes s;
    s.raw("\x89HDF\r\n\x1a\n", 8);
    s.u8(2), s.u8(8), s.u8(8), s.u8(0);  // version 2, 8-byte addresses and lengths, no flags
    s.u64(0), s.u64(kUndefined), s.u64(file.size()), s.u64(root);
    s.u32(hdf5_checksum(s.b.data(), s.b.size()));
    file.replace(0, s.b.size(), s.b);
  }

 private:
  struct HeapRef {
    uint64_t collection;
    uint32_t index;
  };
  std::vector<HeapRef> refs_;
  size_t next_ref_ = 0;

  static void collect(const Tree& t, std::vector<const std::string*>& out) {
    for (const auto& [name, s] : t.strings)
      for (const std::string& v : s.values) out.push_back(&v);
    for (const auto& [name, sub] : t.groups) collect(sub, out);
  }

  // One collection: its header, objects 1..n (16-byte header, data padded to 8), and the free
  // space object 0, whose size counts its own header, up to the collection's size.
  void write_heap(const std::vector<const std::string*>& values) {
    size_t used = 16;
    for (const std::string* v : values) used += 16 + align8(v->size());
    const size_t total = std::max(kMinHeap, used + 16);
    const uint64_t address = file.size();
    Bytes h;
    h.raw("GCOL", 4), h.u8(1), h.zeros(3), h.u64(total);
    for (size_t k = 0; k < values.size(); ++k) {
      h.u16(k + 1), h.u16(0), h.u32(0), h.u64(values[k]->size());
      h.raw(values[k]->data(), values[k]->size());
      h.zeros(align8(values[k]->size()) - values[k]->size());
      refs_.push_back({address, uint32_t(k + 1)});
    }
    h.u16(0), h.u16(0), h.u32(0), h.u64(total - used);
    h.zeros(total - used - 16);
    file += h.b;
  }

  // The raw values (none for an empty dataset) and the dataset's header.
  uint64_t dataset(const std::vector<int64_t>& shape, const std::string& type,
                   const std::string& values) {
    uint64_t address = kUndefined;
    if (!values.empty()) address = file.size(), file += values;
    return object_header({{kDataspace, 0, dataspace(shape)},
                          {kDatatype, 1, type},
                          {kFillValue, 1, fill_value()},
                          {kLayout, 0, contiguous(address, values.size())}});
  }

  uint64_t write_array(const Array& a, const std::string& name) {
    if (numel_of(a.shape) != a.numel())
      throw std::invalid_argument("HDF5: array '" + name + "' has " + std::to_string(a.numel()) +
                                  " values for its shape");
    Bytes v;
    for (double x : a.values) {
      if (a.kind == Array::Kind::i64) {
        // A value int64 cannot hold (2^63 from a uint64 dataset, a fraction) would be undefined
        // behaviour to convert.
        if (!(x >= -0x1p63 && x < 0x1p63) || x != std::trunc(x))
          throw std::invalid_argument("HDF5: array '" + name + "' holds " + std::to_string(x) +
                                      ", which is not a 64-bit integer");
        v.u64(uint64_t(int64_t(x)));
      } else if (a.kind == Array::Kind::f64) {
        v.raw(&x, 8);  // both targets (x86-64, WebAssembly) are little-endian
      } else {
        const float f = float(x);
        v.raw(&f, 4);
      }
    }
    const std::string type = a.kind == Array::Kind::i64   ? integer_type(true, 64)
                             : a.kind == Array::Kind::f64 ? ieee_type(64)
                                                          : ieee_type(32);
    return dataset(a.shape, type, v.b);
  }

  uint64_t write_strings(const Strings& s, const std::string& name) {
    if (numel_of(s.shape) != int64_t(s.values.size()))
      throw std::invalid_argument("HDF5: string dataset '" + name + "' has " +
                                  std::to_string(s.values.size()) + " values for its shape");
    Bytes v;
    for (const std::string& value : s.values) {
      const HeapRef& r = refs_.at(next_ref_++);
      v.u32(value.size()), v.u64(r.collection), v.u32(r.index);
    }
    return dataset(s.shape, vlen_string_type(), v.b);
  }

  // A version 2 object header of one chunk: prefix, messages (type, size, flags, data) and the
  // checksum of all before it. Flags 0x02: the chunk's size is a 4-byte field.
  uint64_t object_header(const std::vector<Message>& messages) {
    Bytes h;
    size_t size = 0;
    for (const Message& m : messages) size += 4 + m.data.size();
    h.raw("OHDR", 4), h.u8(2), h.u8(0x02), h.u32(size);
    for (const Message& m : messages) {
      if (m.data.size() > 0xffff) throw std::invalid_argument("HDF5: a header message over 64 KB");
      h.u8(m.type), h.u16(m.data.size()), h.u8(m.flags), h.b += m.data;
    }
    h.u32(hdf5_checksum(h.b.data(), h.b.size()));
    const uint64_t address = file.size();
    file += h.b;
    return address;
  }
};

uint32_t rotate(uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}

}  // namespace

std::string hdf5_bytes(const Tree& root) {
  Writer w;
  w.write_heaps(root);
  const uint64_t address = w.write_group(root, "/");
  w.finish(address);
  return std::move(w.file);
}

// lookup3's hashlittle, byte by byte (the file's bytes need no alignment): 12-byte blocks mixed,
// the last 1-12 bytes added, then the final avalanche.
uint32_t hdf5_checksum(const void* data, size_t n) {
  const auto* k = static_cast<const uint8_t*>(data);
  uint32_t a, b, c;
  a = b = c = 0xdeadbeefu + uint32_t(n);
  auto word = [&](size_t at, size_t len) {
    uint32_t w = 0;
    for (size_t i = 0; i < len; ++i) w += uint32_t(k[at + i]) << (8 * i);
    return w;
  };
  while (n > 12) {
    a += word(0, 4), b += word(4, 4), c += word(8, 4);
    a -= c, a ^= rotate(c, 4), c += b;
    b -= a, b ^= rotate(a, 6), a += c;
    c -= b, c ^= rotate(b, 8), b += a;
    a -= c, a ^= rotate(c, 16), c += b;
    b -= a, b ^= rotate(a, 19), a += c;
    c -= b, c ^= rotate(b, 4), b += a;
    n -= 12, k += 12;
  }
  if (n == 0) return c;
  a += word(0, std::min<size_t>(n, 4));
  if (n > 4) b += word(4, std::min<size_t>(n - 4, 4));
  if (n > 8) c += word(8, n - 8);
  c ^= b, c -= rotate(b, 14);
  a ^= c, a -= rotate(c, 11);
  b ^= a, b -= rotate(a, 25);
  c ^= b, c -= rotate(b, 16);
  a ^= c, a -= rotate(c, 4);
  b ^= a, b -= rotate(a, 14);
  c ^= b, c -= rotate(b, 24);
  return c;
}

}  // namespace soma::nir
