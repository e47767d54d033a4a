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

// What the host queued per timed step (cuda_runtime.hpp's counts; the same on the host
// emulator as on a GPU): each launch costs the host a few microseconds, each wait a round trip.
inline void print_work_per_step(const cuda::WorkCounts& a, const cuda::WorkCounts& b,
                                int64_t steps) {
  const double n = double(steps > 1 ? steps : 1);
  std::printf(
      "  per step    %.1f kernels, %.1f GEMMs, %.1f copies, %.2f host waits (the final "
      "synchronize included)\n",
      double(b.kernels - a.kernels) / n, double(b.gemms - a.gemms) / n,
      double(b.copies - a.copies) / n, double(b.waits - a.waits) / n);
}

}  // namespace soma::bench
