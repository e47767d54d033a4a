#pragma once
// A NIR tree as the bytes of an HDF5 file, written without the HDF5 library, so that every build
// writes NIR files: the web page (where libhdf5 is not built) offers a trained network as a
// download, and a native build without libhdf5-dev still runs `soma export-nir`. Reading stays
// with libhdf5 (file_hdf5.cpp): files written by h5py use the older layout (symbol-table groups,
// B-trees, often gzip chunks), which this writer never needs.
//
// The file uses the smallest subset of the format (HDF5 File Format Specification 3.0) that
// libhdf5 1.10+ and h5py read:
//   superblock version 2 (48 bytes, checksummed) -> the root group's object header
//   object headers version 2 ("OHDR", one chunk, Jenkins lookup3 checksum)
//   groups: "compact" links, i.e. a Link Info message (no fractal heap, no name index), a Group
//     Info message, and one Link message per member (a hard link to the member's header)
//   datasets: Dataspace (v2, scalar or simple), Datatype, Fill Value (v3: allocated late, filled
//     if set) and Data Layout (v3, contiguous) messages; the values follow as raw little-endian
//     bytes (an empty dataset has no allocation: undefined address, size 0)
//   types: IEEE float32 / float64 and signed int64 (Array::Kind), and strings as variable-length
//     UTF-8 (as the nir package writes them), each element a (length, collection address,
//     index) reference into a global heap collection ("GCOL", at least 4096 bytes, which
//     libhdf5 assumes, at most 65535 objects each).
// A file written here reads back through read_tree (libhdf5) to the same tree: the tests compare
// every dataset.
#include <cstdint>
#include <string>

#include "core/nir/graph.hpp"

namespace soma::nir {

// The file's bytes. A group whose members share a name (an array and a subgroup both called x)
// is a std::invalid_argument naming it.
std::string hdf5_bytes(const Tree& root);

// Bob Jenkins' lookup3 hashlittle over n bytes (initial value 0): HDF5's metadata checksum.
uint32_t hdf5_checksum(const void* data, size_t n);

}  // namespace soma::nir
