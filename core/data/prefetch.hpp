#pragma once
// Native builds only: a worker thread that builds batch k + 1 while the caller trains on
// batch k (a one-slot queue guarded by a mutex and a condition variable). WebAssembly builds
// have no threads here; DataLoader then builds each batch when asked.
#ifdef __EMSCRIPTEN__
namespace soma {
class Prefetcher {};  // never constructed; complete only so DataLoader's unique_ptr compiles
}  // namespace soma
#else
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/data/batch.hpp"

namespace soma {

class Prefetcher {
 public:
  using Build = std::function<Batch(int64_t)>;
  Prefetcher();
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // Drops whatever was queued or in progress and starts on build(0) ... build(count - 1).
  void restart(int64_t count, Build build);
  // The next batch in sequence (waits for it); rethrows an exception thrown by build. The
  // caller asks for at most `count` batches per restart.
  Batch take();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t generation_ = 0;  // bumped by restart(): a batch built for an older one is dropped
  int64_t count_ = 0, built_ = 0;
  Build build_;
  std::optional<Batch> ready_;
  std::exception_ptr error_;
  std::thread worker_;  // last: starts after the state above exists
};

// Whether the process may run on more than one CPU (its affinity mask on Linux). Pinned to one
// CPU, the worker only takes turns with the trainer: the Fashion-MNIST rec step (one thread,
// taskset -c 0, AMD EPYC, 3 runs each) took 8.3-9.3 ms with it and 7.9-8.4 ms building each
// batch in place (load 0.5-0.7 -> 0.3 ms).
bool spare_cpu_for_worker();

}  // namespace soma
#endif
