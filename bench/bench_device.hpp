#pragma once
// --device cpu|cuda for the benchmarks. A cuda run needs a build with the CUDA backend
// (native-cuda preset) and a visible GPU; without either the bench says which is missing and
// exits non-zero, never measuring the CPU under a GPU label.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench/bench_args.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::bench {

// Exits with code 2 for a device other than cpu or cuda.
inline bool wants_cuda(const BenchArgs& args, const char* bench) {
  const char* d = args.has("--device") ? args.value("--device") : "cpu";
  if (!std::strcmp(d, "cpu")) return false;
  if (!std::strcmp(d, "cuda")) return true;
  std::fprintf(stderr, "%s: --device is cpu or cuda, not '%s'\n", bench, d);
  std::exit(2);
}

// True when the GPU can run; otherwise prints why to stderr (the caller exits with 1).
inline bool cuda_ready(const char* bench) {
#ifndef SOMA_CUDA
  std::fprintf(stderr,
               "%s --device cuda: this build has no CUDA backend (configure with the native-cuda "
               "preset: cmake --preset native-cuda, build dir build-cuda/)\n",
               bench);
  return false;
#else
  if (!cuda::available()) {
    std::fprintf(stderr, "%s --device cuda: no CUDA device (cudaGetDeviceCount reports none)\n",
                 bench);
    return false;
  }
  return true;
#endif
}

}  // namespace soma::bench
