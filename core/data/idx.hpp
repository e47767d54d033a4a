#pragma once
// IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed. Layout (big-endian):
//   bytes 0-1  zero
//   byte  2    element type; only 0x08 (unsigned byte) is used by these datasets
//   byte  3    number of dimensions d (3 for images N x H x W, 1 for labels N)
//   4 d bytes  the dimensions, uint32 each
//   then       prod(dims) elements, row-major
// A file whose magic, dimension count or size disagrees is a std::runtime_error naming the file
// and the expected vs found size. Images load as floats byte / 255 in [0, 1], C = 1.
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace soma {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// `expected_dims`: the dimension count the caller needs (0: any).
IdxArray read_idx(const std::string& path, int expected_dims = 0);
// Writes a raw (uncompressed) ubyte IDX file, atomically.
void write_idx(const std::string& path, const IdxArray& array);

// The standard file names of a split ("train" or "test") under `dir`:
// train-images-idx3-ubyte / train-labels-idx1-ubyte, t10k-images-idx3-ubyte / t10k-labels-...
// find_idx_files() also accepts each with a .gz suffix and throws if either is missing.
struct IdxFiles {
  std::string images, labels;
};
IdxFiles idx_files(const std::string& dir, const std::string& split);
IdxFiles find_idx_files(const std::string& dir, const std::string& split);

// Reads an image file (N x H x W) and its label file (N); labels must be < num_classes.
Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, int num_classes = 10);
// The inverse: pixels are rounded to round(x * 255), so [0, 1] data must not be normalised yet.
void write_idx_dataset(const Dataset& data, const std::string& images_path,
                       const std::string& labels_path);

}  // namespace soma
