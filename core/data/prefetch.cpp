#ifndef __EMSCRIPTEN__
#include "core/data/prefetch.hpp"

#include <utility>

#if defined(__linux__)
#include <sched.h>
#endif

namespace soma {

Prefetcher::Prefetcher() : worker_([this] { run(); }) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Prefetcher::restart(int64_t count, Build build) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    count_ = count;
    built_ = 0;
    build_ = std::move(build);
    ready_.reset();
    error_ = nullptr;
  }
  cv_.notify_all();
}

Batch Prefetcher::take() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return ready_.has_value() || error_ != nullptr; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  Batch b = std::move(*ready_);
  ready_.reset();
  lock.unlock();
  cv_.notify_all();
  return b;
}

void Prefetcher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || (!ready_ && !error_ && built_ < count_); });
    if (stop_) return;
    const uint64_t generation = generation_;
    const int64_t k = built_;
    const Build build = build_;
    lock.unlock();
    std::optional<Batch> batch;
    std::exception_ptr error;
    try {
      batch = build(k);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (generation != generation_) continue;
    ready_ = std::move(batch);
    error_ = error;
    ++built_;
    cv_.notify_all();
  }
}

bool spare_cpu_for_worker() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set) > 1;
#endif
  return std::thread::hardware_concurrency() > 1;
}

}  // namespace soma
#endif
