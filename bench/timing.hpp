#pragma once
// Median wall-clock times for the benchmarks. Each timed call is warmed up once first (page
// faults, thread start-up; on the GPU cuBLAS's kernel choice and the caching allocator's first
// cudaMalloc). A GPU caller's functions end with cuda::synchronize(), so that the clock stops
// when the device is done, not when the host has queued the work.
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace soma::bench {

inline double median_seconds(int repeats, const std::function<void()>& f) {
  f();  // warm-up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Medians of several functions timed in turns (f1 f2 f3, f1 f2 f3, ...), so that a change in
// the machine's load hits all of them alike.
inline std::vector<double> interleaved(int repeats, const std::vector<std::function<void()>>& fs) {
  std::vector<std::vector<double>> t(fs.size());
  for (auto& f : fs) f();  // warm-up
  for (int r = 0; r < repeats; ++r)
    for (size_t k = 0; k < fs.size(); ++k) {
      auto start = std::chrono::steady_clock::now();
      fs[k]();
      t[k].push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  std::vector<double> med;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

}  // namespace soma::bench
