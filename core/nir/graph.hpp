#pragma once
// NIR, the neuromorphic intermediate representation (github.com/neuromorphs/NIR): how Norse,
// snnTorch, SpikingJelly, Lava, Rockpool and hardware tool chains exchange spiking networks.
// A NIR file is HDF5:
//
//   /version                  string, e.g. "1.0.0"
//   /node/type                "NIRGraph"
//   /node/nodes/<name>/type   "Input", "Affine", "CubaLIF", ... and the node's fields, numeric
//                             datasets such as weight (out, in), tau_mem (n), stride (2)
//   /node/edges               (E, 2) strings: source name, target name
//   /node/metadata/...        optional (Soma stores its task and config there)
//
// `Tree` mirrors that layout (groups of numeric and string datasets) so the graph logic here and
// in network.hpp runs without HDF5 (the web build); file_hdf5.cpp reads and writes trees.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma::nir {

// A numeric dataset: values row-major in double (HDF5 converts any int/float type on read).
struct Array {
  std::vector<int64_t> shape;  // empty: a scalar
  std::vector<double> values;
  // How it is written: weights as float32 (as PyTorch exports write them), sizes as int64, and
  // neuron constants as float64, so that Soma's per-step factors (dt / tau) survive a round trip
  // to the bit.
  enum class Kind { f32, f64, i64 } kind = Kind::f32;

  static Array scalar(double v, Kind k = Kind::f32) { return {{}, {v}, k}; }
  static Array vector(std::vector<double> v, Kind k = Kind::f32) {
    return {{int64_t(v.size())}, std::move(v), k};
  }
  static Array full(const std::vector<int64_t>& shape, double v, Kind k = Kind::f64);
  static Array of(const Tensor& t);  // float32 values, t's shape (copied from cuda too)
  int64_t numel() const { return int64_t(values.size()); }
  Tensor tensor() const;  // as float32 with the same shape (a scalar becomes shape {1})
  // The one value of an array whose entries are all equal; otherwise a std::runtime_error naming
  // the node (Soma's neuron layers share their constants across neurons).
  double uniform(const std::string& node_name, const std::string& field) const;
};

// A string dataset: a scalar (shape empty) or an array such as the edges (E, 2).
struct Strings {
  std::vector<int64_t> shape;
  std::vector<std::string> values;
};

// One HDF5 group.
struct Tree {
  std::map<std::string, Array> arrays;
  std::map<std::string, Strings> strings;
  std::map<std::string, Tree> groups;
};

struct Node {
  std::string type;
  std::map<std::string, Array> fields;
  // Field access for the nodes that need it; a missing field is a std::runtime_error naming
  // the node and its type.
  const Array& at(const std::string& node_name, const std::string& field) const;
  bool has(const std::string& field) const { return fields.count(field) > 0; }
};

using Edge = std::pair<std::string, std::string>;

struct Graph {
  std::string version = "1.0.0";
  std::map<std::string, Node> nodes;
  std::vector<Edge> edges;
  std::map<std::string, std::string> metadata;  // string values only

  Node& add(const std::string& name, Node n);  // a taken name is a std::invalid_argument
  void connect(const std::string& from, const std::string& to) { edges.push_back({from, to}); }
};

// Graph <-> tree. from_tree checks the layout: a missing group or dataset, edges that are not
// (E, 2) strings, or an edge naming an unknown node is a std::runtime_error naming `source` and
// the problem.
Tree to_tree(const Graph& g);
Graph from_tree(const Tree& root, const std::string& source);

// HDF5 files, in every build: write_file (hdf5_write.hpp) writes path.tmp, then renames it over
// path; read_file (hdf5_read.hpp; libhdf5 too where linked, for the layouts that reader
// refuses). Reading a file that is not HDF5, is corrupt or is not laid out as above is a
// std::runtime_error naming the file and the problem.
constexpr int64_t kMaxFileBytes = int64_t(1) << 31;  // NIR files read whole: 2 GiB at most
void write_file(const std::string& path, const Graph& g);
Graph read_file(const std::string& path);
Tree read_tree(const std::string& path);  // the raw layout, for tools and tests

}  // namespace soma::nir
