// A dataset's values for the HDF5 reader (hdf5_read.hpp): its Dataspace, Datatype, Data Layout
// and Filter Pipeline messages, the chunks of a chunked layout, and the global heap behind
// variable-length strings.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/io/inflate.hpp"
#include "core/nir/hdf5_format.hpp"

namespace soma::nir::hdf5 {
namespace {

constexpr uint64_t kMaxBytes = uint64_t(1) << 31;  // one dataset's values, decoded
constexpr int kMaxRank = 32;

struct Type {
  enum Class { integer, real, string, vlen_string, other } cls = other;
  uint32_t size = 0;
  bool big = false, is_signed = false;
};

Type datatype(const File& f, uint64_t at, int depth = 0) {
  Cursor c{f, at, "datatype message"};
  const int cls = c.u8() & 0x0f;
  const uint8_t bits = c.u8();
  c.skip(2);
  Type t;
  t.size = c.u32();
  t.big = bits & 1;
  if (cls == 0) {
    t.cls = Type::integer, t.is_signed = bits & 8;
    if (t.size < 1 || t.size > 8) f.fail("integers of " + std::to_string(t.size) + " bytes");
  } else if (cls == 1) {
    t.cls = Type::real;
    if ((bits & 0x40) || (t.size != 2 && t.size != 4 && t.size != 8))
      f.fail("a float type other than IEEE binary16/32/64");
  } else if (cls == 3) {
    t.cls = Type::string;
  } else if (cls == 8 && depth < 4) {  // an enum (h5py's bool): its values are its base type's
    const Type base = datatype(f, c.at, depth + 1);
    if (base.cls == Type::integer) return base;
  } else if (cls == 9 && (bits & 0x0f) == 1) {
    t.cls = Type::vlen_string;
  }
  return t;
}

struct Space {
  std::vector<int64_t> shape;
  uint64_t numel = 1;
};

Space dataspace(const File& f, const Message& m) {
  Cursor c{f, m.at, "dataspace message"};
  const uint8_t version = c.u8(), rank = c.u8();
  c.skip(1);  // flags
  Space s;
  if (version == 1)
    c.skip(5);
  else if (version != 2)
    f.fail("dataspace: unknown version");
  else if (c.u8() == 2)  // null: no elements
    return {{0}, 0};
  if (rank > kMaxRank) f.fail("dataspace: rank " + std::to_string(rank));
  for (int k = 0; k < rank; ++k) {
    const uint64_t d = c.length();
    if (d > kMaxBytes) f.fail("dataspace: a dimension of " + std::to_string(d));
    s.shape.push_back(int64_t(d));
    s.numel = d == 0 || s.numel == 0 ? 0 : s.numel * d;
    if (s.numel > kMaxBytes) f.fail("dataspace: too many elements");
  }
  return s;
}

struct Layout {
  int cls = 1;                  // 0 compact, 1 contiguous, 2 chunked
  uint64_t at = kUndefined;     // compact: the data; contiguous: its address; chunked: the B-tree's
  uint64_t size = 0;            // compact only
  std::vector<uint64_t> chunk;  // chunked: the chunk's shape (rank entries)
};

Layout layout(const File& f, const Message& m, size_t rank) {
  Cursor c{f, m.at, "data layout message"};
  const uint8_t version = c.u8();
  Layout l;
  std::vector<uint64_t> dims;
  if (version == 1 || version == 2) {
    const uint8_t n = c.u8();
    l.cls = c.u8();
    c.skip(5);
    if (l.cls != 0) l.at = c.address();
    for (int k = 0; k < n; ++k) dims.push_back(c.u32());
    if (l.cls == 2) c.skip(4);  // element size
    if (l.cls == 0) l.size = c.u32(), l.at = c.at;
  } else if (version == 3 || version == 4) {
    l.cls = c.u8();
    if (l.cls == 0) {
      l.size = c.u16(), l.at = c.at;
    } else if (l.cls == 1) {
      l.at = c.address();
    } else if (l.cls == 2 && version == 3) {
      const uint8_t n = c.u8();
      l.at = c.address();
      for (int k = 0; k < n; ++k) dims.push_back(c.u32());
    } else if (l.cls == 2) {
      f.fail("chunked layout version 4 (written with libver='latest') is not read here");
    }
  } else {
    f.fail("data layout: unknown version " + std::to_string(version));
  }
  if (l.cls > 2) f.fail("data layout: unknown class " + std::to_string(l.cls));
  if (l.cls == 2) {
    if (dims.size() < rank || rank == 0) f.fail("data layout: chunk shape does not fit the data");
    l.chunk.assign(dims.begin(), dims.begin() + long(rank));
    for (uint64_t d : l.chunk)
      if (d == 0) f.fail("data layout: a chunk dimension of 0");
  }
  return l;
}

struct Filter {
  uint16_t id;
  std::vector<uint32_t> values;
};

std::vector<Filter> filters(const File& f, const Message* m) {
  if (!m) return {};
  Cursor c{f, m->at, "filter pipeline message"};
  const uint8_t version = c.u8(), n = c.u8();
  if (version == 1) c.skip(6);
  std::vector<Filter> out;
  for (int k = 0; k < n; ++k) {
    Filter x{c.u16(), {}};
    const uint16_t name = version == 1 || x.id >= 256 ? c.u16() : 0;
    c.skip(2);  // flags
    const uint16_t values = c.u16();
    c.skip(version == 1 ? (name + 7u) / 8 * 8 : name);
    for (int v = 0; v < values; ++v) x.values.push_back(c.u32());
    if (version == 1 && values % 2) c.skip(4);
    if (x.id < 1 || x.id > 3)
      f.fail("filter " + std::to_string(x.id) +
             " is not supported (deflate, shuffle and Fletcher-32 are)");
    out.push_back(std::move(x));
  }
  return out;
}

// The shuffle filter stores byte j of every element together; this puts them back.
void unshuffle(std::vector<uint8_t>& b, uint32_t size) {
  if (size <= 1) return;
  const size_t n = b.size() / size;
  std::vector<uint8_t> out(b);
  for (size_t j = 0; j < size; ++j)
    for (size_t i = 0; i < n; ++i) out[i * size + j] = b[j * n + i];
  b.swap(out);
}

// A stored chunk through the filters in reverse (those set in `mask` were skipped on write).
std::vector<uint8_t> decode_chunk(const File& f, const uint8_t* p, uint64_t n, uint32_t mask,
                                  const std::vector<Filter>& fs, uint64_t want, uint32_t elem) {
  std::vector<uint8_t> b(p, p + n);
  for (size_t k = fs.size(); k-- > 0;) {
    if (k < 32 && (mask >> k & 1)) continue;
    if (fs[k].id == 1) {
      try {
        b = zlib_inflate(b.data(), b.size(), want + 8);
      } catch (const std::runtime_error& e) {
        f.fail(std::string("a chunk's deflate stream: ") + e.what());
      }
    } else if (fs[k].id == 2) {
      unshuffle(b, fs[k].values.empty() ? elem : fs[k].values[0]);
    } else if (b.size() >= 4) {  // Fletcher-32: a checksum after the data
      b.resize(b.size() - 4);
    }
  }
  if (b.size() < want) f.fail("a chunk holds fewer bytes than its shape needs");
  return b;
}

// Copies a decoded chunk (shape C, at element offsets o) into the dataset's values (shape D).
void place(const std::vector<int64_t>& D, const std::vector<uint64_t>& C,
           const std::vector<uint64_t>& o, const uint8_t* chunk, uint8_t* out, uint32_t E) {
  const size_t r = D.size();
  std::vector<uint64_t> idx(r, 0);
  const uint64_t run = std::min<uint64_t>(C[r - 1], uint64_t(D[r - 1]) - o[r - 1]);
  for (;;) {
    uint64_t src = 0, dst = 0;
    for (size_t d = 0; d < r; ++d)
      src = src * C[d] + idx[d], dst = dst * uint64_t(D[d]) + o[d] + idx[d];
    std::memcpy(out + dst * E, chunk + src * E, run * E);
    int d = int(r) - 2;
    for (; d >= 0; --d) {
      if (++idx[size_t(d)] < C[size_t(d)] && o[size_t(d)] + idx[size_t(d)] < uint64_t(D[size_t(d)]))
        break;
      idx[size_t(d)] = 0;
    }
    if (d < 0) return;
  }
}

struct Chunked {
  const Space& s;
  const Layout& l;
  const std::vector<Filter>& fs;
  uint32_t E;
  uint64_t want;  // bytes of one decoded chunk
  std::vector<uint8_t>& out;
};

// A chunk B-tree (version 1, node type 1): keys hold each chunk's stored size, filter mask and
// element offsets (rank + 1 of them: the last is the element's byte offset, 0).
void chunk_btree(const File& f, uint64_t address, Chunked& k, int depth) {
  if (depth > 64) f.fail("chunk B-tree: too deep (a loop?)");
  auto [c, level, entries] = btree_node(f, address, 1, "chunk B-tree node");
  const size_t r = k.s.shape.size();
  for (uint16_t e = 0; e < entries; ++e) {
    const uint32_t size = c.u32(), mask = c.u32();
    std::vector<uint64_t> o(r + 1);
    for (uint64_t& x : o) x = c.u64();
    const uint64_t child = c.address();
    f.spend(1);
    if (level > 0) {
      chunk_btree(f, child, k, depth + 1);
      continue;
    }
    o.pop_back();
    for (size_t d = 0; d < r; ++d)
      if (o[d] >= uint64_t(k.s.shape[d])) f.fail("a chunk lies outside the dataset");
    const uint8_t* p = f.span(f.absolute(child), size, "chunk");
    f.spend(0, k.want);
    const std::vector<uint8_t> b = decode_chunk(f, p, size, mask, k.fs, k.want, k.E);
    place(k.s.shape, k.l.chunk, o, b.data(), k.out.data(), k.E);
  }
}

// The dataset's raw values, numel elements of E bytes (unallocated: zeros, the default fill).
std::vector<uint8_t> raw_values(const File& f, const std::vector<Message>& ms, const Space& s,
                                uint32_t E) {
  const Layout l = layout(f, *find(ms, kLayout), s.shape.size());
  const uint64_t n = s.numel * E;
  if (n > kMaxBytes) f.fail("the dataset is too large (" + std::to_string(n) + " bytes)");
  f.spend(0, n);
  std::vector<uint8_t> out(size_t(n), 0);
  if (n == 0) return out;
  if (l.cls == 0) {
    if (l.size < n) f.fail("compact data: fewer bytes than the shape needs");
    std::memcpy(out.data(), f.span(l.at, n, "compact data"), n);
  } else if (l.cls == 1 && l.at != kUndefined) {
    std::memcpy(out.data(), f.span(f.absolute(l.at), n, "contiguous data"), n);
  } else if (l.cls == 2 && l.at != kUndefined) {
    uint64_t want = E;
    for (uint64_t d : l.chunk) {
      if (d > kMaxBytes / want) f.fail("chunks too large");
      want *= d;
    }
    Chunked k{s, l, filters(f, find(ms, kFilters)), E, want, out};
    chunk_btree(f, l.at, k, 0);
  }
  return out;
}

double number(const Type& t, const uint8_t* p) {
  uint8_t b[8] = {};
  for (uint32_t k = 0; k < t.size; ++k) b[k] = p[t.big ? t.size - 1 - k : k];
  const uint64_t u = le_uint(b, 8);
  if (t.cls == Type::integer) {
    if (!t.is_signed || t.size == 8) return t.is_signed ? double(int64_t(u)) : double(u);
    const uint64_t sign = uint64_t(1) << (8 * t.size - 1);
    return double(int64_t((u ^ sign) - sign));  // sign-extended
  }
  if (t.size == 8) {
    double d;
    std::memcpy(&d, &u, 8);
    return d;
  }
  if (t.size == 4) {
    float x;
    const uint32_t w = uint32_t(u);
    std::memcpy(&x, &w, 4);
    return x;
  }
  const int e = int(u >> 10 & 31), m = int(u & 1023);  // binary16
  const double v = e == 0    ? std::ldexp(m, -24)
                   : e == 31 ? (m ? NAN : INFINITY)
                             : std::ldexp(1024 + m, e - 25);
  return u & 0x8000 ? -v : v;
}

// Variable-length strings: each element (length, collection address, index) names an object
// in a global heap collection.
class GlobalHeaps {
 public:
  explicit GlobalHeaps(const File& f) : f_(f) {}
  std::string get(const uint8_t* element) {
    const uint64_t len = le_uint(element, 4), address = f_.address_at(element + 4),
                   index = le_uint(element + 4 + f_.O, 4);
    if (len == 0 || address == kUndefined) return "";
    const auto& objects = collection(address);
    auto it = objects.find(uint32_t(index));
    if (it == objects.end()) f_.fail("a string's global heap object is missing");
    const uint64_t n = std::min<uint64_t>(len, it->second.second);
    return std::string(reinterpret_cast<const char*>(f_.span(it->second.first, n, "string")), n);
  }

 private:
  using Objects = std::map<uint32_t, std::pair<uint64_t, uint64_t>>;  // index -> (at, size)
  const Objects& collection(uint64_t address) {
    auto it = heaps_.find(address);
    if (it != heaps_.end()) return it->second;
    Objects& objects = heaps_[address];
    Cursor c{f_, f_.absolute(address), "global heap"};
    const uint64_t start = c.at;
    c.expect("GCOL");
    if (c.u8() != 1) f_.fail("global heap: unknown version");
    c.skip(3);
    const uint64_t size = c.length();
    f_.span(start, size, "global heap");
    const uint64_t end = start + size;
    while (c.at + 8 + uint64_t(f_.L) <= end) {
      const uint16_t index = c.u16();
      c.skip(6);  // reference count, reserved
      const uint64_t n = c.length();
      if (index == 0) break;  // free space: the rest of the collection
      if (n > end - c.at) f_.fail("global heap: an object runs past its collection");
      objects[index] = {c.at, n};
      c.at += std::min<uint64_t>((n + 7) / 8 * 8, end - c.at);
    }
    return objects;
  }
  const File& f_;
  std::map<uint64_t, Objects> heaps_;
};

}  // namespace

void read_dataset(const File& f, const std::vector<Message>& ms, const std::string& name, Tree& t) {
  const Message *type_m = find(ms, kDatatype), *space_m = find(ms, kDataspace);
  if (!type_m || !space_m) f.fail("a dataset without a datatype or dataspace");
  if (type_m->flags & 0x02) f.fail("shared (committed) datatypes are not read here");
  const Type type = datatype(f, type_m->at);
  if (type.cls == Type::other) return;
  const Space s = dataspace(f, *space_m);
  const uint32_t E = type.cls == Type::vlen_string ? uint32_t(8 + f.O) : type.size;
  if (E == 0) f.fail("a datatype of size 0");
  const std::vector<uint8_t> raw = raw_values(f, ms, s, E);
  if (type.cls == Type::string || type.cls == Type::vlen_string) {
    Strings out{s.shape, {}};
    GlobalHeaps heaps(f);
    for (uint64_t k = 0; k < s.numel; ++k) {
      const uint8_t* p = raw.data() + k * E;
      if (type.cls == Type::vlen_string) {
        out.values.push_back(heaps.get(p));
        f.spend(1, out.values.back().size());
      } else {
        const std::string_view v(reinterpret_cast<const char*>(p), E);
        out.values.emplace_back(v.substr(0, v.find('\0')));
      }
    }
    t.strings[name] = std::move(out);
    return;
  }
  Array a{s.shape, {}, type.cls == Type::real ? Array::Kind::f64 : Array::Kind::i64};
  a.values.reserve(size_t(s.numel));
  for (uint64_t k = 0; k < s.numel; ++k) a.values.push_back(number(type, raw.data() + k * E));
  t.arrays[name] = std::move(a);
}

}  // namespace soma::nir::hdf5
