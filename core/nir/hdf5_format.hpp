#pragma once
// The pieces hdf5_read.cpp (file, object headers, groups) and hdf5_dataset.cpp (a dataset's
// values) share: bounds-checked little-endian reads of the file's bytes, an object header's
// messages and version 1 B-tree nodes; and the format constants the writer (hdf5_write.cpp)
// uses too. Internal to the reader and writer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/nir/graph.hpp"

namespace soma::nir::hdf5 {

constexpr uint64_t kUndefined = ~uint64_t(0);  // "no address", at any offset size

// The file: its bytes, the sizes of addresses (O) and lengths (L) from the superblock, the base
// address that file addresses count from, and `where`, the object being read, for errors.
struct File {
  std::string_view bytes;
  std::string source;
  int O = 8, L = 8;
  uint64_t base = 0;
  std::string where;  // "/node/nodes/lif"; empty: the file as a whole

  // What a valid file's size bounds: structures visited (steps) and bytes decoded (a deflate
  // stream expands at most ~1032-fold). A corrupt file whose B-trees, links or string references
  // repeat themselves runs out of it with an error, instead of running for hours or filling
  // memory.
  mutable uint64_t steps_left = 0, bytes_left = 0;
  void spend(uint64_t steps, uint64_t bytes = 0) const;

  [[noreturn]] void fail(const std::string& problem) const;
  // n bytes at absolute offset `at`; past the end is an error naming what was read.
  const uint8_t* span(uint64_t at, uint64_t n, const char* what) const;
  uint64_t absolute(uint64_t address) const;  // base + address, checked
  // The O-byte address at p; all ones (at any O) becomes kUndefined.
  uint64_t address_at(const uint8_t* p) const;
};

// The unsigned little-endian integer in p[0, n), n <= 8 (HDF5 stores every field so).
inline uint64_t le_uint(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = v << 8 | p[k];
  return v;
}

// Reads fields in order from an absolute offset.
struct Cursor {
  const File& f;
  uint64_t at;
  const char* what;  // the structure being read, for errors

  uint64_t uint(int n);  // little-endian, n <= 8 bytes
  uint8_t u8() { return uint8_t(uint(1)); }
  uint16_t u16() { return uint16_t(uint(2)); }
  uint32_t u32() { return uint32_t(uint(4)); }
  uint64_t u64() { return uint(8); }
  uint64_t address();  // O bytes; all ones (any O) becomes kUndefined
  uint64_t length() { return uint(f.L); }
  const uint8_t* bytes(uint64_t n) {
    const uint8_t* p = f.span(at, n, what);
    at += n;
    return p;
  }
  void skip(uint64_t n) { bytes(n); }
  void expect(std::string_view signature);  // the next bytes, or an error naming `what`
};

// One header message: its type and where its data lies (absolute offset, size).
struct Message {
  uint16_t type;
  uint8_t flags;
  uint64_t at, size;
};

// Header message types (specification section IV.A.2), the reader's and the writer's.
enum MessageType : uint8_t {
  kDataspace = 0x01,
  kLinkInfo = 0x02,
  kDatatype = 0x03,
  kFillValue = 0x05,
  kLink = 0x06,
  kLayout = 0x08,
  kGroupInfo = 0x0A,
  kFilters = 0x0B,
  kContinuation = 0x10,
  kSymbolTable = 0x11,
};

// A version 1 B-tree node ("TREE") at a file address: node type 0 for groups, 1 for chunks. The
// cursor stands at the first key, after the siblings.
struct BTreeNode {
  Cursor c;
  uint8_t level;
  uint16_t entries;
};
BTreeNode btree_node(const File& f, uint64_t address, uint8_t type, const char* what);

// The messages of the object header at absolute offset `at` (versions 1 and 2, continuations
// followed).
std::vector<Message> object_header(const File& f, uint64_t at);

const Message* find(const std::vector<Message>& ms, uint16_t type);

// Reads the dataset whose header holds `ms` into t as an array or strings called `name`;
// skips datatype classes that carry nothing Soma reads.
void read_dataset(const File& f, const std::vector<Message>& ms, const std::string& name, Tree& t);

}  // namespace soma::nir::hdf5
