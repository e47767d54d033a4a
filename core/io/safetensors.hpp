#pragma once
// Checkpoints in the safetensors format, readable by Python's `safetensors` (and so PyTorch):
//
//   bytes [0, 8)        N: the header length, an unsigned 64-bit little-endian integer
//   bytes [8, 8 + N)    the header, JSON, padded with spaces so that N is a multiple of 8:
//                         {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...,
//                          "__metadata__": {"epoch": "3", ...}}      (metadata optional)
//   bytes [8 + N, end)  the data section: each tensor's values, row-major, little-endian, at
//                       [begin, end) of its data_offsets, counted from the section's start.
//
// Soma writes float32 tensors back to back in sorted-name order (std::map order). It reads F32,
// F64, F16 and BF16 (what PyTorch users save with .double(), .half(), .bfloat16()), converting
// to float32 on load: F16/BF16 exactly, F64 rounded to nearest. Loading validates the whole header
// against the file size before reading any data.
#include <map>
#include <string>
#include <string_view>

#include "core/tensor/tensor.hpp"

namespace soma {

struct SafetensorsData {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Writes `path + ".tmp"`, then renames it over `path`, so a crash never leaves half a checkpoint.
// A cuda tensor is written from a host copy (checkpoints are device-independent; they load on
// the cpu). An undefined tensor, or a name "__metadata__", is a std::invalid_argument; an I/O
// failure a std::runtime_error.
void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// A missing, truncated or malformed file (bad header length, bad JSON, a dtype other than
// F32/F64/F16/BF16, offsets outside the data or overlapping or not matching the shape, more than 5
// dimensions) is a std::runtime_error whose message names the file and the problem.
SafetensorsData load_safetensors(const std::string& path);

// The same, in memory: for the web build (checkpoint downloads and uploads) and for tests.
// `source` names the bytes in error messages.
std::string encode_safetensors(const std::map<std::string, Tensor>& tensors,
                               const std::map<std::string, std::string>& metadata = {});
SafetensorsData decode_safetensors(std::string_view bytes, const std::string& source = "<memory>");

}  // namespace soma
