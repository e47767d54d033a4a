#pragma once
// CIFAR-10, binary version (cifar-10-batches-bin: data_batch_1.bin ... data_batch_5.bin for
// training, test_batch.bin for testing). Each file is a run of 3073-byte records: one label byte
// (0-9), then a 32 x 32 image as three planes R, G, B of 1024 bytes each, rows top to bottom:
// exactly the (C, H, W) layout of a Dataset. A file whose size is not a positive multiple of 3073
// bytes, or with a label > 9, is a std::runtime_error naming the file and the sizes.
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace soma {

constexpr int64_t kCifarRecordBytes = 1 + 3 * 32 * 32;

// Reads and concatenates the files in order; pixels as byte / 255 in [0, 1].
Dataset read_cifar10(const std::vector<std::string>& paths, const std::string& name = "cifar10");
// The inverse, for tests and benchmarks: data (C 3, 32 x 32, pixels in [0, 1], labels 0-9) as
// records of round(x * 255) bytes, written atomically.
void write_cifar10(const std::string& path, const Dataset& data);
// The standard file names of a split ("train" or "test") under `dir`.
std::vector<std::string> cifar10_files(const std::string& dir, const std::string& split);

}  // namespace soma
