// The HDF5 writer without libhdf5 (core/nir/hdf5_write.hpp). Its checksum has lookup3's published
// values; its files carry a valid superblock in every build (the web build included); and where
// libhdf5 is built, libhdf5 itself reads each file back to the same tree: every kind of dataset,
// empty ones, non-ASCII names and values, and more strings than one heap collection holds.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include "core/io/atomic_write.hpp"
#include "core/nir/graph.hpp"
#include "core/nir/hdf5_read.hpp"
#include "core/nir/hdf5_write.hpp"
#include "nir_trees.hpp"
#include "temp_dir.hpp"

using namespace soma;
using nir::Array;
using test::check_same;
using test::sample_tree;

namespace {

uint64_t u64_at(const std::string& s, size_t at) {
  uint64_t v;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}

}  // namespace

TEST_CASE("hdf5 write: lookup3 checksum has the published values") {
  CHECK(nir::hdf5_checksum("", 0) == 0xdeadbeefu);
  CHECK(nir::hdf5_checksum("Four score and seven years ago", 30) == 0x17770551u);
}

TEST_CASE("hdf5 write: the superblock names the root and the file's end, checksummed") {
  const std::string f = nir::hdf5_bytes(sample_tree());
  REQUIRE(f.size() > 48);
  CHECK(f.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0);
  CHECK(f[8] == 2);  // superblock version 2
  CHECK(u64_at(f, 28) == f.size());
  const uint64_t root = u64_at(f, 36);
  REQUIRE(root + 4 <= f.size());
  CHECK(f.compare(size_t(root), 4, "OHDR") == 0);
  uint32_t stored;
  std::memcpy(&stored, f.data() + 44, 4);
  CHECK(stored == nir::hdf5_checksum(f.data(), 44));
  CHECK(f.find("GCOL") != std::string::npos);  // the strings' heap
  // A non-ASCII link name says UTF-8: version 1, flags 0x10 (a charset field), charset 1, length.
  CHECK(f.find(std::string("\x01\x10\x01\x06") + "névé") != std::string::npos);
  CHECK(f.find(std::string("\x01\x00\x05", 3) + "nodes") != std::string::npos);  // ASCII: none
}

TEST_CASE("hdf5 write: malformed trees are errors naming the member") {
  auto error_of = [](const nir::Tree& t) {
    try {
      nir::hdf5_bytes(t);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  nir::Tree twice;
  twice.arrays["x"] = Array::scalar(1);
  twice.groups["x"];
  CHECK(error_of(twice).find("two members named 'x'") != std::string::npos);
  nir::Tree slash;
  slash.groups["a"].arrays["b/c"] = Array::scalar(1);
  CHECK(error_of(slash).find("group '/a/' has a member named 'b/c'") != std::string::npos);
  nir::Tree shape;
  shape.arrays["w"] = {{2, 2}, {1, 2, 3}, Array::Kind::f32};
  CHECK(error_of(shape).find("array 'w' has 3 values") != std::string::npos);
  nir::Tree big;  // 2^63, as a uint64 dataset gives it: beyond int64
  big.arrays["n"] = Array::vector({9223372036854775808.0}, Array::Kind::i64);
  CHECK(error_of(big).find("array 'n' holds 9223372036854775808") != std::string::npos);
  nir::Tree half;
  half.arrays["k"] = Array::vector({2.5}, Array::Kind::i64);
  CHECK(error_of(half).find("not a 64-bit integer") != std::string::npos);
  nir::Tree strings;
  strings.strings["s"] = {{3}, {"a"}};
  CHECK(error_of(strings).find("string dataset 's' has 1 values") != std::string::npos);
}

#ifdef SOMA_HAS_HDF5
TEST_CASE("hdf5 write: libhdf5 reads every kind of member back") {
  test::TempDir dir;
  const nir::Tree t = sample_tree();
  write_file_atomic(dir / "sample.h5", nir::hdf5_bytes(t));
  check_same(t, nir::read_tree_libhdf5(dir / "sample.h5"), "/");
}

TEST_CASE("hdf5 write: more strings than one heap collection holds, and a large array") {
  test::TempDir dir;
  nir::Tree t = test::large_tree();
  t.groups["long_name"].arrays[std::string(300, 'n')] = Array::scalar(1);
  write_file_atomic(dir / "many.h5", nir::hdf5_bytes(t));
  check_same(t, nir::read_tree_libhdf5(dir / "many.h5"), "/");
}
#endif
