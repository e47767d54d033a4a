// libFuzzer target: Soma's own HDF5 reader (core/nir/hdf5_read.hpp) on raw file bytes, the path
// the web page's Import NIR takes. Every read there is bounds-checked: any input ends in a tree
// or an error. A tree it reads must survive Soma's writer and a second read unchanged (values
// compared bit for bit; NaN payloads aside), and then goes through the graph checks.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/nir/hdf5_read.hpp"
#include "core/nir/hdf5_write.hpp"
#include "fuzz_util.hpp"

namespace {

using namespace soma;

bool same(const nir::Tree& a, const nir::Tree& b) {
  if (a.strings.size() != b.strings.size() || a.arrays.size() != b.arrays.size() ||
      a.groups.size() != b.groups.size())
    return false;
  for (const auto& [name, s] : a.strings) {
    auto it = b.strings.find(name);
    if (it == b.strings.end() || it->second.shape != s.shape) return false;
    // The writer stores variable-length strings, which end at a NUL when read through libhdf5;
    // Soma's reader keeps the bytes, so they compare whole.
    if (it->second.values != s.values) return false;
  }
  for (const auto& [name, x] : a.arrays) {
    auto it = b.arrays.find(name);
    if (it == b.arrays.end() || it->second.shape != x.shape) return false;
    for (size_t k = 0; k < x.values.size(); ++k)
      if (!(it->second.values[k] == x.values[k]) &&
          !(std::isnan(it->second.values[k]) && std::isnan(x.values[k])))
        return false;
  }
  for (const auto& [name, g] : a.groups) {
    auto it = b.groups.find(name);
    if (it == b.groups.end() || !same(g, it->second)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  nir::Tree t;
  try {
    t = nir::hdf5_tree(bytes, "fuzz.nir");
  } catch (const std::runtime_error&) {
    return 0;  // the reader's one way of saying no
  }
  soma::fuzz::rejects_cleanly([&] {
    const std::string again = nir::hdf5_bytes(t);  // may refuse a name ('/', duplicates)
    if (!same(t, nir::hdf5_tree(again, "fuzz-again.nir"))) std::abort();
  });
  soma::fuzz::rejects_cleanly([&] { nir::from_tree(t, "fuzz.nir"); });
  return 0;
}
