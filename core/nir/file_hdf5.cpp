// Reading NIR files through the HDF5 C API (Debian 12's libhdf5-dev 1.10; the calls used exist in
// 1.12+): an HDF5 file as a Tree (graph.hpp), whichever layout wrote it. Soma's own reader
// (hdf5_read.hpp) comes first; this one takes the files it refuses (dense link storage, newer
// chunk indices), and the tests check the own reader against it. Any integer or float type is
// read (HDF5 converts to double), and fixed- or variable-length strings.
#include <hdf5.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/nir/hdf5_read.hpp"

namespace soma::nir {
namespace {

// An HDF5 handle closed by its own close function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error(path + ": " + problem);
}

// HDF5 prints its error stack to stderr by default; Soma reports its own messages instead.
void quiet() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::vector<int64_t> shape_of(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Variable- or fixed-length strings, ASCII or UTF-8 (h5py writes str as UTF-8, bytes as ASCII;
// HDF5 converts between the two character sets on read only for fixed-length strings, so the
// memory type copies the file's). An unreadable dataset is an error, never an empty one.
Strings read_strings(hid_t d, hid_t file_type, const std::string& path, const std::string& name) {
  Strings s{shape_of(d), {}};
  const size_t n = size_t(count(s.shape));
  Handle mem(H5Tcopy(file_type), H5Tclose);
  if (H5Tis_variable_str(file_type) > 0) {
    std::vector<char*> ptrs(n, nullptr);
    if (n && H5Dread(d, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
      fail(path, "cannot read the strings of '" + name + "'");
    for (char* p : ptrs) s.values.emplace_back(p ? p : "");
    Handle space(H5Dget_space(d), H5Sclose);
    if (n) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {  // fixed length (numpy 'S' arrays)
    const size_t len = H5Tget_size(file_type);
    std::vector<char> buf(n * len);
    if (n && H5Dread(d, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0)
      fail(path, "cannot read the strings of '" + name + "'");
    for (size_t k = 0; k < n; ++k) {
      std::string v(buf.data() + k * len, len);
      s.values.push_back(v.substr(0, v.find('\0')));
    }
  }
  return s;
}

// The names of a group's members (the callback only collects: no C++ exception may cross the
// HDF5 C library's frames).
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}

void read_member(hid_t g, const std::string& name, Tree& t, const std::string& path);

void read_group(hid_t g, Tree& t, const std::string& path, const std::string& where) {
  std::vector<std::string> names;
  if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names) < 0)
    fail(path, "cannot list group '" + where + "'");
  for (const std::string& name : names) read_member(g, name, t, path);
}

void read_member(hid_t g, const std::string& name, Tree& t, const std::string& path) {
  H5O_info_t info;
  if (H5Oget_info_by_name2(g, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    fail(path, "cannot read '" + name + "'");
  if (info.type == H5O_TYPE_GROUP) {
    Handle sub(H5Gopen2(g, name.c_str(), H5P_DEFAULT), H5Gclose);
    read_group(sub.get(), t.groups[name], path, name);
    return;
  }
  if (info.type != H5O_TYPE_DATASET) return;
  Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    t.strings[name] = read_strings(d.get(), type.get(), path, name);
  } else if (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM) {
    Array a{shape_of(d.get()), {}, cls != H5T_FLOAT ? Array::Kind::i64 : Array::Kind::f64};
    a.values.resize(size_t(count(a.shape)));
    if (!a.values.empty() &&
        H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
      fail(path, "cannot read the numbers of '" + name + "'");
    t.arrays[name] = std::move(a);
  }
  // Other classes (compound, opaque) carry nothing Soma reads.
}

}  // namespace

Tree read_tree_libhdf5(const std::string& path) {
  quiet();
  if (!std::filesystem::exists(path)) fail(path, "no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not an HDF5 file (a NIR file is HDF5)");
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) fail(path, "cannot open the HDF5 file");
  Tree t;
  read_group(f.get(), t, path, "/");
  return t;
}

}  // namespace soma::nir
