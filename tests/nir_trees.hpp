#pragma once
// NIR trees for the HDF5 writer and reader tests: a sample with every kind of member the writer
// has, and a comparison of a tree with what a reader made of it.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/nir/graph.hpp"

namespace soma::test {

// prefix then k ("m12"), through snprintf: GCC 12 warns falsely (-Wrestrict) about
// "m" + std::to_string(k) once it is inlined.
inline std::string numbered(const char* prefix, int k) {
  char b[48];
  std::snprintf(b, sizeof b, "%s%d", prefix, k);
  return b;
}

// Scalar, vector and matrix numbers of each kind, an empty (0, 2) string array, empty and
// non-ASCII strings and names, nested and empty groups.
inline nir::Tree sample_tree() {
  using nir::Array;
  nir::Tree t;
  t.strings["version"] = {{}, {"1.0.0"}};
  nir::Tree& node = t.groups["node"];
  node.strings["edges"] = {{2, 2}, {"a", "b", "b", "c"}};
  node.strings["no_edges"] = {{0, 2}, {}};
  node.strings["empty"] = {{}, {""}};
  node.strings["utf8"] = {{}, {"τ_mem in ms: ½"}};
  node.arrays["weight"] = {{2, 3}, {0.5, -0.25, 1e-30, 3.0, 7.0, -1e30}, Array::Kind::f32};
  node.arrays["tau"] = Array::vector({0.1 / 3, 1e-300, -0.0}, Array::Kind::f64);
  node.arrays["stride"] = Array::vector({-3, 0, int64_t(1) << 53}, Array::Kind::i64);
  node.arrays["scalar"] = Array::scalar(2.5);
  node.arrays["none"] = {{0}, {}, Array::Kind::f32};
  node.groups["nodes"].groups["névé"].strings["type"] = {{}, {"LIF"}};
  node.groups["empty_group"];
  return t;
}

// More strings than one global heap collection holds (70,000), and a 300 x 1000 array.
inline nir::Tree large_tree() {
  nir::Tree t;
  nir::Strings& s = t.strings["many"];
  s.shape = {70000};
  for (int k = 0; k < 70000; ++k) s.values.push_back(numbered("s", k));
  std::vector<double> big(300000);
  for (size_t k = 0; k < big.size(); ++k) big[k] = double(k) * 0.5;
  t.arrays["big"] = {{300, 1000}, big, nir::Array::Kind::f32};
  return t;
}

// b is what a reader made of a: the same members, shapes and stored values (readers give floats
// as f64 and integers as i64, so an f32 array compares as float values).
inline void check_same(const nir::Tree& a, const nir::Tree& b, const std::string& where) {
  using nir::Array;
  INFO(where);
  REQUIRE(a.arrays.size() == b.arrays.size());
  REQUIRE(a.strings.size() == b.strings.size());
  REQUIRE(a.groups.size() == b.groups.size());
  for (const auto& entry : a.arrays) {  // no structured binding: clang 14 lambdas (INFO) refuse it
    const std::string& name = entry.first;
    const Array& x = entry.second;
    INFO(name);
    REQUIRE(b.arrays.count(name) == 1);
    const Array& y = b.arrays.at(name);
    CHECK(x.shape == y.shape);
    REQUIRE(x.values.size() == y.values.size());
    for (size_t k = 0; k < x.values.size(); ++k)
      CHECK(y.values[k] == (x.kind == Array::Kind::f32 ? double(float(x.values[k])) : x.values[k]));
    CHECK((y.kind == Array::Kind::i64) == (x.kind == Array::Kind::i64));
  }
  for (const auto& entry : a.strings) {
    const std::string& name = entry.first;
    const nir::Strings& s = entry.second;
    INFO(name);
    REQUIRE(b.strings.count(name) == 1);
    CHECK(s.shape == b.strings.at(name).shape);
    CHECK(s.values == b.strings.at(name).values);
  }
  for (const auto& entry : a.groups) {
    REQUIRE(b.groups.count(entry.first) == 1);
    check_same(entry.second, b.groups.at(entry.first), where + entry.first + "/");
  }
}

}  // namespace soma::test
