#include "core/nir/graph.hpp"

#include <filesystem>
#include <stdexcept>

#include "core/io/atomic_write.hpp"
#include "core/io/read_capped.hpp"
#include "core/nir/hdf5_read.hpp"
#include "core/nir/hdf5_write.hpp"

namespace soma::nir {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
  throw std::runtime_error(source + ": " + problem);
}

std::string scalar_string(const Tree& t, const std::string& key, const std::string& source,
                          const std::string& where) {
  auto it = t.strings.find(key);
  if (it == t.strings.end() || it->second.values.size() != 1)
    fail(source, where + " has no '" + key + "' string");
  return it->second.values[0];
}

const Tree& group(const Tree& t, const std::string& key, const std::string& source,
                  const std::string& where) {
  auto it = t.groups.find(key);
  if (it == t.groups.end()) fail(source, where + " has no '" + key + "' group");
  return it->second;
}

}  // namespace

Array Array::of(const Tensor& t) {
  Array a;
  a.shape.assign(t.shape().begin(), t.shape().end());
  const std::vector<float> v = t.to_vector();  // from the device too: the playground's cuda model
  a.values.assign(v.begin(), v.end());
  return a;
}

Array Array::full(const std::vector<int64_t>& shape, double v, Kind k) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return {shape, std::vector<double>(size_t(n), v), k};
}

double Array::uniform(const std::string& node_name, const std::string& field) const {
  if (values.empty())
    throw std::runtime_error("node '" + node_name + "': field '" + field + "' is empty");
  for (double v : values)
    if (v != values[0])
      throw std::runtime_error("node '" + node_name + "': field '" + field +
                               "' differs between neurons; Soma's layers share one value");
  return values[0];
}

Tensor Array::tensor() const {
  Shape s(shape.begin(), shape.end());
  if (s.empty()) s = {1};
  return Tensor::from(s, std::vector<float>(values.begin(), values.end()));
}

const Array& Node::at(const std::string& node_name, const std::string& field) const {
  auto it = fields.find(field);
  if (it == fields.end())
    throw std::runtime_error("node '" + node_name + "' (" + type + ") has no '" + field +
                             "' field");
  return it->second;
}

Node& Graph::add(const std::string& name, Node n) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::invalid_argument("NIR node name '" + name + "' is empty or has a '/'");
  auto [it, fresh] = nodes.emplace(name, std::move(n));
  if (!fresh) throw std::invalid_argument("NIR node '" + name + "' exists already");
  return it->second;
}

Tree to_tree(const Graph& g) {
  Tree root;
  root.strings["version"] = {{}, {g.version}};
  Tree& node = root.groups["node"];
  node.strings["type"] = {{}, {"NIRGraph"}};
  Tree& nodes = node.groups["nodes"];
  for (const auto& [name, n] : g.nodes) {
    Tree& t = nodes.groups[name];
    t.strings["type"] = {{}, {n.type}};
    for (const auto& [k, a] : n.fields) t.arrays[k] = a;
  }
  Strings edges{{int64_t(g.edges.size()), 2}, {}};
  for (const auto& [a, b] : g.edges) {
    edges.values.push_back(a);
    edges.values.push_back(b);
  }
  node.strings["edges"] = edges;
  if (!g.metadata.empty()) {
    Tree& meta = node.groups["metadata"];
    for (const auto& [k, v] : g.metadata) meta.strings[k] = {{}, {v}};
  }
  return root;
}

Graph from_tree(const Tree& root, const std::string& source) {
  Graph g;
  if (root.strings.count("version")) g.version = scalar_string(root, "version", source, "the file");
  const Tree& node = group(root, "node", source, "the file");
  const std::string type = scalar_string(node, "type", source, "/node");
  if (type != "NIRGraph") fail(source, "/node is a " + type + ", not a NIRGraph");
  for (const auto& [name, t] : group(node, "nodes", source, "/node").groups) {
    Node n{scalar_string(t, "type", source, "node '" + name + "'"), t.arrays};
    if (n.type == "NIRGraph")
      fail(source, "node '" + name + "' is a nested NIRGraph; Soma reads flat graphs only");
    g.nodes.emplace(name, std::move(n));
  }
  auto e = node.strings.find("edges");
  if (e == node.strings.end()) {
    if (node.arrays.count("edges") == 0) fail(source, "/node has no 'edges' dataset");
    if (!node.arrays.at("edges").values.empty()) fail(source, "/node/edges is not strings");
  } else {
    const Strings& s = e->second;
    const bool empty = s.values.empty();
    if (!empty && (s.shape.size() != 2 || s.shape[1] != 2))
      fail(source, "/node/edges is not an (E, 2) array of node names");
    for (size_t k = 0; k + 1 < s.values.size(); k += 2) {
      for (const std::string& end : {s.values[k], s.values[k + 1]})
        if (!g.nodes.count(end))
          fail(source,
               "edge " + s.values[k] + " -> " + s.values[k + 1] + " names no node '" + end + "'");
      g.edges.push_back({s.values[k], s.values[k + 1]});
    }
  }
  if (auto m = node.groups.find("metadata"); m != node.groups.end())
    for (const auto& [k, v] : m->second.strings)
      if (v.values.size() == 1) g.metadata[k] = v.values[0];
  return g;
}

void write_file(const std::string& path, const Graph& g) {
  write_file_atomic(path, hdf5_bytes(to_tree(g)));
}

// Soma's own reader in every build (hdf5_read.hpp). Where libhdf5 is linked, a file the own
// reader refuses goes to libhdf5, which reads every layout (dense link storage, newer chunk
// indices); when both refuse it, the own reader's message names the problem.
Tree read_tree(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": no such file");
  const std::string bytes = read_file_capped(path, kMaxFileBytes);
  try {
    return hdf5_tree(bytes, path);
  } catch (const std::runtime_error&) {
#ifdef SOMA_HAS_HDF5
    try {
      return read_tree_libhdf5(path);
    } catch (const std::runtime_error&) {
    }
#endif
    throw;
  }
}

Graph read_file(const std::string& path) {
  return from_tree(read_tree(path), path);
}

}  // namespace soma::nir
