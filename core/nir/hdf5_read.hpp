#pragma once
// An HDF5 file's bytes as a NIR tree (graph.hpp), read without the HDF5 library: the web page
// imports NIR files with it, and native builds without libhdf5 read them too (builds with
// libhdf5 keep file_hdf5.cpp, which reads every layout). It reads what the nir package writes
// through h5py (HDF5 File Format Specification 3.0, the earliest layouts h5py defaults to):
//   superblock versions 0-1 (a root symbol-table entry) and 2-3 (checksummed, as hdf5_write.hpp)
//   object headers version 1 and version 2 ("OHDR", checksummed), with continuation blocks
//   groups: symbol tables (a version 1 B-tree of "SNOD" nodes, names in a local "HEAP") and
//     compact links (Link messages; dense link storage in a fractal heap is refused by name)
//   datasets: Dataspace v1/v2, Datatype (integers of 1-8 bytes, IEEE float16/32/64 either byte
//     order, enums over integers as h5py's bool, fixed and variable-length strings), Data Layout
//     v1-v4 (compact, contiguous; chunked through a version 1 B-tree, layout v1-v3), and the
//     filters deflate (inflate.hpp), shuffle and Fletcher-32
//   strings: fixed-length (cut at the first NUL, as the libhdf5 reader) or variable-length
//     references into global heap collections ("GCOL")
// Numbers become doubles (integers as Array::Kind::i64, floats as f64), as file_hdf5.cpp reads
// them; other datatype classes (compound, opaque, references) are skipped as there. Every read
// is bounds-checked: a truncated or corrupt file is a std::runtime_error naming the source, the
// object's path and the problem, never a crash.
#include <string>
#include <string_view>

#include "core/nir/graph.hpp"

namespace soma::nir {

Tree hdf5_tree(std::string_view bytes, const std::string& source);

#ifdef SOMA_HAS_HDF5
// The same through libhdf5 (file_hdf5.cpp): read_tree's second try, and the tests' reference.
Tree read_tree_libhdf5(const std::string& path);
#endif

}  // namespace soma::nir
