// NIR files on disk (HDF5; native builds with libhdf5 only). The test writes its own files with
// the HDF5 C API, laid out as the nir package's writer lays them out (h5py: numpy float64
// arrays, variable-length UTF-8 strings, input_type/output_type groups), and checks that Soma
// reads and runs them, and that malformed ones are clear errors naming the file.
#include <doctest/doctest.h>

#ifdef SOMA_HAS_HDF5
#include <hdf5.h>

#include <functional>

#include "core/nir/network.hpp"
#include "core/ops/ops.hpp"
#include "gradcheck.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

// Minimal HDF5 writing helpers: what h5py does for str, np.ndarray and dict values.
void put_string(hid_t loc, const char* name, const char* value) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value);
  H5Dclose(d), H5Sclose(s), H5Tclose(t);
}

void put_f64(hid_t loc, const char* name, std::vector<hsize_t> dims, std::vector<double> v) {
  hid_t s = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
  hid_t d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d), H5Sclose(s);
}

void put_i64(hid_t loc, const char* name, std::vector<long long> v) {
  hsize_t n = v.size();
  hid_t s = H5Screate_simple(1, &n, nullptr);
  hid_t d = H5Dcreate2(loc, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(d), H5Sclose(s);
}

void put_edges(hid_t loc, const std::vector<const char*>& flat) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  hsize_t dims[2] = {flat.size() / 2, 2};
  hid_t s = H5Screate_simple(2, dims, nullptr);
  hid_t d = H5Dcreate2(loc, "edges", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data());
  H5Dclose(d), H5Sclose(s), H5Tclose(t);
}

hid_t group(hid_t loc, const char* name) {
  return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

// A node group with type and the input_type/output_type groups that nir's asdict() writes.
hid_t node(hid_t nodes, const char* name, const char* type, std::vector<long long> in_shape) {
  hid_t g = group(nodes, name);
  put_string(g, "type", type);
  hid_t it = group(g, "input_type"), ot = group(g, "output_type");
  put_i64(it, "input", in_shape);
  put_i64(ot, "output", in_shape);
  H5Gclose(it), H5Gclose(ot);
  return g;
}

struct Options {
  bool with_node = true, with_edges = true;
  int bias_size = 1;
};

// input (2) -> Affine W = [[0.5, 0.25]], b = [0.1] -> LI tau 10 ms -> output (1).
void write_small_graph(const std::string& path, Options o = {}) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  put_string(f, "version", "1.0.0");
  if (o.with_node) {
    hid_t root = group(f, "node");
    put_string(root, "type", "NIRGraph");
    hid_t nodes = group(root, "nodes");
    hid_t in = node(nodes, "input", "Input", {2});
    put_i64(in, "shape", {2});
    hid_t aff = node(nodes, "affine", "Affine", {2});
    put_f64(aff, "weight", {1, 2}, {0.5, 0.25});
    put_f64(aff, "bias", {hsize_t(o.bias_size)}, std::vector<double>(size_t(o.bias_size), 0.1));
    hid_t li = node(nodes, "li", "LI", {1});
    put_f64(li, "tau", {1}, {0.01});
    put_f64(li, "r", {1}, {1.0});
    put_f64(li, "v_leak", {1}, {0.0});
    hid_t out = node(nodes, "output", "Output", {1});
    put_i64(out, "shape", {1});
    if (o.with_edges) put_edges(root, {"input", "affine", "affine", "li", "li", "output"});
    for (hid_t g : {in, aff, li, out, nodes, root}) H5Gclose(g);
  }
  H5Fclose(f);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("nir file: a hand-written graph loads and runs") {
  test::TempDir dir;
  const std::string path = dir / "small.nir";
  write_small_graph(path);
  nir::Graph g = nir::read_file(path);
  CHECK(g.version == "1.0.0");
  CHECK(g.nodes.size() == 4);
  CHECK(g.nodes.at("affine").type == "Affine");
  CHECK(g.edges.size() == 3);
  // x = (1, 2) every step: the affine gives 0.5 + 0.5 + 0.1 = 1.1; LI with dt/tau = 0.1:
  // v1 = 0.11, v2 = 0.11 + 0.1 (1.1 - 0.11) = 0.209, v3 = 0.209 + 0.1 (1.1 - 0.209) = 0.2981.
  Tensor x = Tensor::from({3, 1, 2}, {1, 2, 1, 2, 1, 2});
  Tensor v = nir::Network(g).run(x);
  test::check_close(reshape(v, {3}), {0.11f, 0.209f, 0.2981f}, 1e-6f);
}

TEST_CASE("nir file: Soma's writer and reader round-trip, metadata included") {
  test::TempDir dir;
  nir::Graph g;
  g.add("input", {"Input", {{"shape", nir::Array::vector({3}, nir::Array::Kind::i64)}}});
  g.add("w", {"Linear", {{"weight", nir::Array::of(reshape(Tensor::arange(6), {2, 3}))}}});
  g.add("output", {"Output", {{"shape", nir::Array::vector({2}, nir::Array::Kind::i64)}}});
  g.connect("input", "w");
  g.connect("w", "output");
  g.metadata["soma.task"] = "demo";
  const std::string path = dir / "rt.nir";
  nir::write_file(path, g);
  nir::Graph back = nir::read_file(path);
  CHECK(back.edges == g.edges);
  CHECK(back.metadata.at("soma.task") == "demo");
  CHECK(back.nodes.at("w").fields.at("weight").shape == std::vector<int64_t>{2, 3});
  CHECK(back.nodes.at("w").fields.at("weight").values == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("nir file: malformed files are clear errors naming the file") {
  test::TempDir dir;
  const std::string text = dir.file("text.nir", "not hdf5 at all");
  CHECK(has(error_of([&] { nir::read_file(text); }), "text.nir: not an HDF5 file"));
  CHECK(has(error_of([&] { nir::read_file(dir / "missing.nir"); }), "missing.nir: no such file"));
  const std::string no_node = dir / "no_node.nir";
  write_small_graph(no_node, {false, true, 1});
  CHECK(
      has(error_of([&] { nir::read_file(no_node); }), "no_node.nir: the file has no 'node' group"));
  const std::string no_edges = dir / "no_edges.nir";
  write_small_graph(no_edges, {true, false, 1});
  CHECK(has(error_of([&] { nir::read_file(no_edges); }), "no_edges.nir: /node has no 'edges'"));
  const std::string bad_bias = dir / "bad_bias.nir";
  write_small_graph(bad_bias, {true, true, 3});
  nir::Graph g = nir::read_file(bad_bias);  // the layout is fine; the shapes are not
  std::string e = error_of([&] { nir::Network n(g); });
  CHECK(has(e, "node 'affine' (Affine)"));
  CHECK(has(e, "bias has 3 values for 1 outputs"));
}
#endif  // SOMA_HAS_HDF5
