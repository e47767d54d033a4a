// Soma's HDF5 reader (core/nir/hdf5_read.hpp). In every build (the web build included): Soma's
// own files read back to the tree written, and no truncation or corrupt byte crashes it. Where
// libhdf5 is built, it writes files in h5py's default (earliest) layout with every feature the
// reader takes (symbol-table groups over several B-tree nodes, chunks with shuffle, deflate and
// Fletcher-32, compact and unallocated datasets, fixed and variable-length strings, big-endian
// and small integer types, enums, a user block), and the reader must agree with libhdf5 on each;
// the layouts it refuses are refused by name, and read_tree reads them through libhdf5.
#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/nir/hdf5_read.hpp"
#include "core/nir/hdf5_write.hpp"
#include "error_of.hpp"
#include "nir_trees.hpp"
#include "temp_dir.hpp"

using namespace soma;

TEST_CASE("hdf5 read: Soma's own files read back to the tree written") {
  const nir::Tree t = test::sample_tree();
  test::check_same(t, nir::hdf5_tree(nir::hdf5_bytes(t), "sample.nir"), "/");
}

TEST_CASE("hdf5 read: more strings than one heap collection holds, and a large array") {
  const nir::Tree t = test::large_tree();
  test::check_same(t, nir::hdf5_tree(nir::hdf5_bytes(t), "many.nir"), "/");
}

TEST_CASE("hdf5 read: bad bytes are errors naming the file and the problem") {
  CHECK(test::error_of([] { nir::hdf5_tree("not hdf5 at all", "x.nir"); }) ==
        "x.nir: not an HDF5 file (a NIR file is HDF5)");
  std::string f = nir::hdf5_bytes(test::sample_tree());
  CHECK(test::error_of([&] {
          nir::hdf5_tree(f.substr(0, f.size() - 1), "cut.nir");
        }).find("cut.nir: truncated: the superblock gives the file's end at byte") == 0);
  // A flipped byte inside the root group's header: its checksum no longer holds.
  uint64_t root;
  std::memcpy(&root, f.data() + 36, 8);
  f[size_t(root) + 10] ^= 0x20;
  CHECK(test::error_of([&] { nir::hdf5_tree(f, "flip.nir"); }) ==
        "flip.nir: object header: checksum mismatch (corrupt file)");
}

// Every prefix of a file, and the file with each byte changed in turn: each read ends in a tree
// or a std::runtime_error (the sanitizer build checks that no read strays out of bounds).
TEST_CASE("hdf5 read: every truncation and every corrupt byte is an error or a tree") {
  nir::Tree t = test::sample_tree();
  const std::string f = nir::hdf5_bytes(t);
  int errors = 0, trees = 0;
  for (size_t n = 0; n < f.size(); ++n) {
    CHECK_THROWS_AS(nir::hdf5_tree(f.substr(0, n), "cut.nir"), std::runtime_error);
  }
  for (size_t k = 0; k < f.size(); ++k)
    for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      std::string g = f;
      g[k] = char(uint8_t(g[k]) ^ flip);
      try {
        nir::hdf5_tree(g, "flip.nir");
        ++trees;
      } catch (const std::runtime_error&) {
        ++errors;
      }
    }
  CHECK(errors > 1000);  // checksums catch the flips in metadata
  CHECK(trees > 1000);   // values, and the string heap's free space: nothing to check there
}

#ifdef SOMA_HAS_HDF5
#include <hdf5.h>

#include <fstream>
#include <sstream>

namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One dataset: file type, memory type, dims (empty: scalar), data (null: never written, so
// never allocated), creation properties.
void dataset(hid_t loc, const char* name, hid_t file_type, hid_t mem_type,
             const std::vector<hsize_t>& dims, const void* data, hid_t dcpl = H5P_DEFAULT) {
  hid_t s = dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(int(dims.size()), dims.data(), nullptr);
  hid_t d = H5Dcreate2(loc, name, file_type, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  REQUIRE(d >= 0);
  if (data) REQUIRE(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(d), H5Sclose(s);
}

hid_t vlen_utf8() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

// Chunks of `chunk` with h5py's filter order: shuffle, deflate, Fletcher-32.
hid_t chunked(const std::vector<hsize_t>& chunk, bool fletcher) {
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(p, int(chunk.size()), chunk.data());
  H5Pset_shuffle(p);
  H5Pset_deflate(p, 6);
  if (fletcher) H5Pset_fletcher32(p);
  return p;
}

// Every feature the reader takes, in the group loc.
void write_features(hid_t loc) {
  hid_t vs = vlen_utf8();
  const char* version = "0.5.0";
  dataset(loc, "version", vs, vs, {}, &version);
  const char* edges[] = {"input", "lif", "lif", "τ-output"};
  dataset(loc, "edges", vs, vs, {2, 2}, edges);
  H5Tclose(vs);
  hid_t fixed = H5Tcopy(H5T_C_S1);
  H5Tset_size(fixed, 6);
  H5Tset_strpad(fixed, H5T_STR_NULLPAD);
  const char names[] = "alpha\0beta\0\0gammas";
  dataset(loc, "fixed", fixed, fixed, {3}, names);
  H5Tclose(fixed);
  std::vector<double> w(7 * 5);
  for (size_t k = 0; k < w.size(); ++k) w[k] = 0.25 * double(k) - 3;
  hid_t p = chunked({3, 2}, true);  // edge chunks in both dimensions
  dataset(loc, "weight", H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, {7, 5}, w.data(), p);
  H5Pclose(p);
  std::vector<int64_t> big(1000);
  for (size_t k = 0; k < big.size(); ++k) big[k] = int64_t(k * k) - 7;
  hid_t p2 = chunked({64}, false);
  dataset(loc, "ints_gzip", H5T_STD_I64LE, H5T_NATIVE_INT64, {1000}, big.data(), p2);
  H5Pclose(p2);
  const int32_t be[] = {-2, 70000, 3};
  dataset(loc, "i32_be", H5T_STD_I32BE, H5T_NATIVE_INT32, {3}, be);
  const double dbe[] = {1.5, -1e-300};
  dataset(loc, "f64_be", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, {2}, dbe);
  const int8_t i8[] = {-128, 127};
  dataset(loc, "i8", H5T_STD_I8LE, H5T_NATIVE_INT8, {2}, i8);
  const uint16_t u16[] = {65535, 1};
  dataset(loc, "u16", H5T_STD_U16LE, H5T_NATIVE_UINT16, {2}, u16);
  const uint64_t u64 = uint64_t(1) << 63;
  dataset(loc, "u64", H5T_STD_U64LE, H5T_NATIVE_UINT64, {}, &u64);
  hid_t boolean = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t no = 0, yes = 1;
  H5Tenum_insert(boolean, "FALSE", &no), H5Tenum_insert(boolean, "TRUE", &yes);
  const int8_t flags[] = {1, 0, 1};
  dataset(loc, "bool", boolean, boolean, {3}, flags);
  H5Tclose(boolean);
  hid_t compact = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_layout(compact, H5D_COMPACT);
  const float small[] = {0.5f, 2.0f};
  dataset(loc, "compact", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {2}, small, compact);
  H5Pclose(compact);
  dataset(loc, "unwritten", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {4}, nullptr);
  dataset(loc, "empty", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {0}, nullptr);
  const double one = 1.0;
  dataset(loc, "scalar", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &one);
}

// A file with the features at the root and in a nested group, and a group of 300 members (its
// symbol table needs several nodes and B-tree levels).
void write_file(const std::string& path, hid_t fcpl, hid_t fapl, int members = 300) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  REQUIRE(f >= 0);
  write_features(f);
  hid_t node = H5Gcreate2(f, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t nested = H5Gcreate2(node, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  write_features(nested);
  hid_t many = H5Gcreate2(f, "many", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  for (int k = 0; k < members; ++k) {
    const double v = k;
    dataset(many, test::numbered("m", k).c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &v);
  }
  H5Gclose(many), H5Gclose(nested), H5Gclose(node), H5Fclose(f);
}

}  // namespace

TEST_CASE("hdf5 read: files in h5py's default layout read as libhdf5 reads them") {
  test::TempDir dir;
  const std::string path = dir / "h5py.nir";
  write_file(path, H5P_DEFAULT, H5P_DEFAULT);
  const nir::Tree ref = nir::read_tree_libhdf5(path), own = nir::hdf5_tree(bytes_of(path), path);
  test::check_same(ref, own, "/");
  REQUIRE(own.groups.at("many").arrays.size() == 300);
  CHECK(own.groups.at("many").arrays.at("m299").values[0] == 299);
  CHECK(own.strings.at("edges").values[3] == "τ-output");
  CHECK(own.strings.at("fixed").values == std::vector<std::string>{"alpha", "beta", "gammas"});
  CHECK(own.arrays.at("weight").values[34] == 0.25 * 34 - 3);
  CHECK(own.arrays.at("u64").values[0] == 9223372036854775808.0);
  CHECK(own.arrays.at("unwritten").values == std::vector<double>(4, 0.0));
}

// Hard links may name one group twice: 40 levels of two links each to the next level are 2^40
// paths through a file of a few kilobytes. The reader stops at what the file's size allows.
TEST_CASE("hdf5 read: references that repeat themselves end in an error, not in hours") {
  test::TempDir dir;
  const std::string path = dir / "doubling.nir";
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g = H5Gcreate2(f, "level", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  for (int k = 0; k < 40; ++k) {
    hid_t next = H5Gcreate2(g, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(H5Lcreate_hard(g, "a", g, "b", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    H5Gclose(g);
    g = next;
  }
  H5Gclose(g), H5Fclose(f);
  CHECK(test::error_of([&] {
          nir::hdf5_tree(bytes_of(path), path);
        }).find("its references repeat themselves (corrupt)") != std::string::npos);
}

TEST_CASE("hdf5 read: a user block before the superblock") {
  test::TempDir dir;
  const std::string path = dir / "userblock.nir";
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_userblock(fcpl, 1024);
  write_file(path, fcpl, H5P_DEFAULT, 3);
  H5Pclose(fcpl);
  const std::string bytes = bytes_of(path);
  REQUIRE(bytes.compare(1024, 4, "\x89HDF") == 0);
  test::check_same(nir::read_tree_libhdf5(path), nir::hdf5_tree(bytes, path), "/");
}

TEST_CASE(
    "hdf5 read: newer layouts read or are refused by name; read_tree takes those to libhdf5") {
  test::TempDir dir;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  SUBCASE("version 2 headers and compact links, without chunks") {
    const std::string path = dir / "latest.nir";
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hid_t g = H5Gcreate2(f, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t vs = vlen_utf8();
    const char* type = "LIF";
    dataset(g, "type", vs, vs, {}, &type);
    const double tau[] = {0.01, 0.02};
    dataset(g, "tau", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {2}, tau);
    H5Tclose(vs), H5Gclose(g), H5Fclose(f);
    test::check_same(nir::read_tree_libhdf5(path), nir::hdf5_tree(bytes_of(path), path), "/");
  }
  SUBCASE("version 4 chunk indices") {
    const std::string path = dir / "chunks.nir";
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hid_t p = chunked({3}, false);
    const double v[] = {1, 2, 3, 4, 5, 6, 7};
    dataset(f, "w", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {7}, v, p);
    H5Pclose(p), H5Fclose(f);
    CHECK(test::error_of([&] {
            nir::hdf5_tree(bytes_of(path), path);
          }).find("/w: chunked layout version 4 (written with libver='latest')") !=
          std::string::npos);
    CHECK(nir::read_tree(path).arrays.at("w").values[6] == 7);
  }
  SUBCASE("dense link storage") {
    const std::string path = dir / "dense.nir";
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    for (int k = 0; k < 20; ++k) {
      const double v = k;
      dataset(f, test::numbered("m", k).c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &v);
    }
    H5Fclose(f);
    CHECK(test::error_of([&] { nir::hdf5_tree(bytes_of(path), path); }).find("fractal heap") !=
          std::string::npos);
    CHECK(nir::read_tree(path).arrays.size() == 20);
  }
  H5Pclose(fapl);
}
#endif  // SOMA_HAS_HDF5
