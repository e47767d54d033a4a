#include "core/nir/hdf5_read.hpp"

#include <set>
#include <stdexcept>
#include <utility>

#include "core/nir/hdf5_format.hpp"
#include "core/nir/hdf5_write.hpp"  // hdf5_checksum

namespace soma::nir {
namespace hdf5 {

void File::fail(const std::string& problem) const {
  throw std::runtime_error(source + ": " + (where.empty() ? "" : where + ": ") + problem);
}

void File::spend(uint64_t steps, uint64_t bytes) const {
  if (steps > steps_left || bytes > bytes_left)
    fail("more structure or data than a file of " + std::to_string(this->bytes.size()) +
         " bytes holds: its references repeat themselves (corrupt)");
  steps_left -= steps, bytes_left -= bytes;
}

const uint8_t* File::span(uint64_t at, uint64_t n, const char* what) const {
  if (at > bytes.size() || n > bytes.size() - at)
    fail(std::string(what) + " at byte " + std::to_string(at) + " runs past the end of the file (" +
         std::to_string(bytes.size()) + " bytes): truncated or corrupt");
  return reinterpret_cast<const uint8_t*>(bytes.data()) + at;
}

uint64_t File::absolute(uint64_t address) const {
  if (address == kUndefined || address > bytes.size() || base > bytes.size() - address)
    fail("an address (" + std::to_string(address) + ") lies outside the file");
  return base + address;
}

uint64_t File::address_at(const uint8_t* p) const {
  const uint64_t v = le_uint(p, O);
  return O < 8 && v == (uint64_t(1) << (8 * O)) - 1 ? kUndefined : v;
}

uint64_t Cursor::uint(int n) {
  return le_uint(bytes(uint64_t(n)), n);
}

uint64_t Cursor::address() {
  return f.address_at(bytes(uint64_t(f.O)));
}

void Cursor::expect(std::string_view signature) {
  const uint8_t* p = bytes(signature.size());
  if (std::string_view(reinterpret_cast<const char*>(p), signature.size()) != signature)
    f.fail(std::string(what) + ": no '" + std::string(signature) + "' signature where expected");
}

const Message* find(const std::vector<Message>& ms, uint16_t type) {
  for (const Message& m : ms)
    if (m.type == type) return &m;
  return nullptr;
}

namespace {

constexpr size_t kMaxMessages = 1 << 16;  // per object header: a loop guard, far above real use

// Checks the lookup3 checksum that follows bytes [from, end) of a version 2 structure.
void check_sum(const File& f, uint64_t from, uint64_t end, const char* what) {
  Cursor c{f, end, what};
  const uint32_t stored = c.u32();
  if (hdf5_checksum(f.span(from, end - from, what), end - from) != stored)
    f.fail(std::string(what) + ": checksum mismatch (corrupt file)");
}

// A message's place in out; a continuation adds its block to `more`.
void add_message(const File& f, const Message& m, std::vector<Message>& out,
                 std::vector<std::pair<uint64_t, uint64_t>>& more) {
  f.spend(1);
  out.push_back(m);
  if (m.type != kContinuation) return;
  Cursor k{f, m.at, "continuation message"};
  const uint64_t a = k.address(), n = k.length();
  more.push_back({f.absolute(a), n});
}

// Messages of a version 1 header block [at, end): 8-byte headers, 8-byte aligned data.
void v1_messages(const File& f, uint64_t at, uint64_t end, std::vector<Message>& out,
                 std::vector<std::pair<uint64_t, uint64_t>>& more) {
  Cursor c{f, at, "object header message"};
  while (c.at + 8 <= end && out.size() < kMaxMessages) {
    const uint16_t type = c.u16(), size = c.u16();
    const uint8_t flags = c.u8();
    c.skip(3);
    const Message m{type, flags, c.at, size};
    c.skip(size);
    if (c.at > end) f.fail("an object header message runs past its block");
    add_message(f, m, out, more);
  }
}

// Messages of a version 2 chunk [at, end): 4- or 6-byte headers (creation order), packed.
void v2_messages(const File& f, uint64_t at, uint64_t end, bool order, std::vector<Message>& out,
                 std::vector<std::pair<uint64_t, uint64_t>>& more) {
  Cursor c{f, at, "object header message"};
  const uint64_t head = order ? 6 : 4;
  while (c.at + head <= end && out.size() < kMaxMessages) {
    const uint8_t type = c.u8();
    const uint16_t size = c.u16();
    const uint8_t flags = c.u8();
    if (order) c.skip(2);
    const Message m{type, flags, c.at, size};
    c.skip(size);
    if (c.at > end) f.fail("an object header message runs past its chunk");
    add_message(f, m, out, more);
  }
}

}  // namespace

BTreeNode btree_node(const File& f, uint64_t address, uint8_t type, const char* what) {
  Cursor c{f, f.absolute(address), what};
  c.expect("TREE");
  if (c.u8() != type) f.fail(std::string(what) + ": a B-tree node of another kind");
  const uint8_t level = c.u8();
  const uint16_t entries = c.u16();
  c.address(), c.address();  // siblings
  return {c, level, entries};
}

std::vector<Message> object_header(const File& f, uint64_t at) {
  std::vector<Message> out;
  std::vector<std::pair<uint64_t, uint64_t>> more;  // continuation blocks still to read
  std::set<uint64_t> seen;
  Cursor c{f, at, "object header"};
  const bool v2 =
      std::string_view(reinterpret_cast<const char*>(f.span(at, 4, "object header")), 4) == "OHDR";
  bool order = false;
  if (!v2) {
    if (c.u8() != 1) f.fail("object header: unknown version");
    c.skip(1);
    c.u16(), c.u32();  // message count, reference count
    const uint64_t size = c.u32();
    c.skip(4);  // alignment: the messages start 8-byte aligned
    f.span(c.at, size, "object header");
    v1_messages(f, c.at, c.at + size, out, more);
  } else {
    c.skip(4);
    if (c.u8() != 2) f.fail("object header: unknown version");
    const uint8_t flags = c.u8();
    if (flags & 0x20) c.skip(16);  // times
    if (flags & 0x10) c.skip(4);   // attribute storage limits
    order = flags & 0x04;
    const uint64_t size = c.uint(1 << (flags & 3));
    if (size > f.bytes.size()) f.fail("object header: larger than the file");
    f.span(c.at, size + 4, "object header");
    v2_messages(f, c.at, c.at + size, order, out, more);
    check_sum(f, at, c.at + size, "object header");
  }
  while (!more.empty()) {
    const auto [block, n] = more.back();
    more.pop_back();
    if (!seen.insert(block).second || seen.size() > kMaxMessages)
      f.fail("object header continuations form a loop");
    f.span(block, n, "continuation block");
    if (!v2) {
      v1_messages(f, block, block + n, out, more);
      continue;
    }
    if (n < 8) f.fail("continuation block: too short");
    Cursor k{f, block, "continuation block"};
    k.expect("OCHK");
    v2_messages(f, block + 4, block + n - 4, order, out, more);
    check_sum(f, block, block + n - 4, "continuation block");
  }
  return out;
}

}  // namespace hdf5

namespace {

using namespace hdf5;

struct Member {
  std::string name;
  uint64_t header;  // absolute offset
};

constexpr int kMaxDepth = 64;  // groups within groups; B-tree levels

// A local heap's data segment: link names as NUL-terminated strings.
struct LocalHeap {
  uint64_t at = 0, size = 0;
  std::string name(const File& f, uint64_t offset) const {
    if (offset >= size) f.fail("a link name's heap offset lies outside the heap");
    const char* p = reinterpret_cast<const char*>(f.span(at + offset, size - offset, "heap"));
    std::string_view s(p, size - offset);
    const size_t end = s.find('\0');
    if (end == std::string_view::npos) f.fail("a link name in the heap has no end");
    return std::string(s.substr(0, end));
  }
};

LocalHeap local_heap(const File& f, uint64_t address) {
  Cursor c{f, f.absolute(address), "local heap"};
  c.expect("HEAP");
  if (c.u8() != 0) f.fail("local heap: unknown version");
  c.skip(3);
  LocalHeap h;
  h.size = c.length();
  c.length();  // free list
  h.at = f.absolute(c.address());
  f.span(h.at, h.size, "local heap data");
  return h;
}

// The entries of a symbol-table node ("SNOD").
void symbol_node(const File& f, uint64_t at, const LocalHeap& heap, std::vector<Member>& out) {
  Cursor c{f, at, "symbol table node"};
  c.expect("SNOD");
  if (c.u8() != 1) f.fail("symbol table node: unknown version");
  c.skip(1);
  const uint16_t n = c.u16();
  for (uint16_t k = 0; k < n; ++k) {
    const uint64_t name = c.uint(f.O), header = c.address();
    c.skip(24);  // cache type, reserved, scratch pad
    Member m{heap.name(f, name), f.absolute(header)};
    f.spend(1, m.name.size());
    out.push_back(std::move(m));
  }
}

// A group B-tree (version 1, node type 0): keys are heap offsets, leaves' children SNODs.
void group_btree(const File& f, uint64_t address, const LocalHeap& heap, int depth,
                 std::vector<Member>& out) {
  if (depth > kMaxDepth) f.fail("group B-tree: too deep (a loop?)");
  auto [c, level, entries] = btree_node(f, address, 0, "group B-tree node");
  for (uint16_t k = 0; k < entries; ++k) {
    f.spend(1);
    c.length();  // key
    const uint64_t child = c.address();
    if (level > 0)
      group_btree(f, child, heap, depth + 1, out);
    else
      symbol_node(f, f.absolute(child), heap, out);
  }
}

// A Link message's hard link; soft and external links are not followed (empty name).
Member link(const File& f, const Message& m) {
  Cursor c{f, m.at, "link message"};
  if (c.u8() != 1) f.fail("link message: unknown version");
  const uint8_t flags = c.u8();
  const uint8_t type = flags & 0x08 ? c.u8() : 0;
  if (flags & 0x04) c.skip(8);  // creation order
  if (flags & 0x10) c.skip(1);  // name's character set
  const uint64_t n = c.uint(1 << (flags & 3));
  const uint8_t* p = c.bytes(n);
  std::string name(reinterpret_cast<const char*>(p), n);
  if (type != 0) return {"", 0};
  return {name, f.absolute(c.address())};
}

std::vector<Member> members(const File& f, const std::vector<Message>& ms) {
  std::vector<Member> out;
  if (const Message* st = find(ms, kSymbolTable)) {
    Cursor c{f, st->at, "symbol table message"};
    const uint64_t btree = c.address(), heap = c.address();
    group_btree(f, btree, local_heap(f, heap), 0, out);
    return out;
  }
  if (const Message* li = find(ms, kLinkInfo)) {
    Cursor c{f, li->at, "link info message"};
    c.skip(1);
    if (c.u8() & 1) c.skip(8);
    if (c.address() != kUndefined)
      f.fail(
          "the group keeps its links in a fractal heap (dense storage, written with "
          "libver='latest' and many members), which this reader does not read");
  }
  for (const Message& m : ms)
    if (m.type == kLink)
      if (Member k = link(f, m); !k.name.empty()) out.push_back(std::move(k));
  return out;
}

bool is_group(const std::vector<Message>& ms) {
  return find(ms, kSymbolTable) || find(ms, kLinkInfo) || find(ms, kLink);
}

void read_group(File& f, uint64_t header, Tree& t, std::vector<uint64_t>& path) {
  if (int(path.size()) > kMaxDepth) f.fail("groups nest too deep");
  for (uint64_t p : path)
    if (p == header) f.fail("a group contains itself");
  path.push_back(header);
  const std::string where = f.where;
  for (const Member& m : members(f, object_header(f, header))) {
    f.spend(1);
    f.where = where + "/" + m.name;
    const std::vector<Message> ms = object_header(f, m.header);
    if (is_group(ms))
      read_group(f, m.header, t.groups[m.name], path);
    else if (find(ms, kLayout))
      read_dataset(f, ms, m.name, t);
  }
  f.where = where;
  path.pop_back();
}

// The superblock's end-of-file address: a shorter file lost its end (a download cut short).
// libhdf5 writes it as an absolute offset (a user block included).
void check_end(const File& f, uint64_t end) {
  if (f.base == kUndefined || f.base > f.bytes.size())
    f.fail("superblock: the base address lies outside the file");
  if (end == kUndefined || end > f.bytes.size())
    f.fail("truncated: the superblock gives the file's end at byte " + std::to_string(end) +
           ", the file has " + std::to_string(f.bytes.size()));
}

// The superblock (at 0, 512, 1024, ...: a user block may precede it) sets O, L and the base
// address; returns the root group's object header.
uint64_t superblock(File& f) {
  static constexpr std::string_view kSignature("\x89HDF\r\n\x1a\n", 8);
  uint64_t at = 0;
  while (at + 8 <= f.bytes.size() && f.bytes.substr(size_t(at), 8) != kSignature)
    at = at ? at * 2 : 512;
  if (at + 8 > f.bytes.size()) f.fail("not an HDF5 file (a NIR file is HDF5)");
  Cursor c{f, at + 8, "superblock"};
  const uint8_t version = c.u8();
  if (version > 3) f.fail("superblock: unknown version " + std::to_string(version));
  if (version >= 2) {
    f.O = c.u8(), f.L = c.u8();
  } else {
    c.skip(4);  // free-space, root entry, reserved, shared header versions
    f.O = c.u8(), f.L = c.u8();
  }
  for (int n : {f.O, f.L})
    if (n != 2 && n != 4 && n != 8) f.fail("superblock: unsupported offset or length size");
  if (version >= 2) {
    c.skip(1);  // consistency flags
    f.base = c.address();
    c.address();  // extension
    const uint64_t end = c.address(), root = c.address();
    check_sum(f, at, c.at, "superblock");
    check_end(f, end);
    return f.absolute(root);
  }
  c.skip(1 + 4 + 4);  // reserved, group K values, consistency flags
  if (version == 1) c.skip(4);
  f.base = c.address();
  c.address();  // free space
  const uint64_t end = c.address();
  c.address();  // driver
  c.uint(f.O);  // the root entry's name offset
  check_end(f, end);
  return f.absolute(c.address());
}

}  // namespace

Tree hdf5_tree(std::string_view bytes, const std::string& source) {
  File f;
  f.bytes = bytes, f.source = source;
  f.steps_left = 16 * uint64_t(bytes.size()) + 4096;
  f.bytes_left = 1100 * uint64_t(bytes.size()) + (uint64_t(1) << 20);
  const uint64_t root = superblock(f);
  Tree t;
  std::vector<uint64_t> path;
  read_group(f, root, t, path);
  return t;
}

}  // namespace soma::nir
