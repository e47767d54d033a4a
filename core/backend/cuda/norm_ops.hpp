#pragma once
// Device kernels of batch_norm on cuda tensors (core/ops/cuda_norm.cpp calls them; built with
// SOMA_CUDA only, so a build without CUDA has neither these nor stubs). Plain C++ with SOMA_HD
// members, so nvcc, the core and the host tests of the bodies (norm_body.hpp) share it.
//
// x is seen as (n, channels, inner), as norm.cpp's ChannelLayout: channel c holds count = n inner
// values. The per-channel sums run in fixed pieces (reduce_body.hpp's split_pieces), each summed
// in double, then the pieces of a channel in order: the result depends on the shape alone, never
// on thread timing.
#include <cstdint>

#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

struct ChannelShape {
  int64_t n, channels, inner;
  SOMA_HD int64_t count() const { return n * inner; }
  SOMA_HD int64_t numel() const { return n * channels * inner; }
  // The flat index of channel c's k-th value (k in [0, count), batch-major as norm.cpp walks).
  SOMA_HD int64_t at(int64_t c, int64_t k) const {
    return ((k / inner) * channels + c) * inner + k % inner;
  }
  SOMA_HD int64_t channel_of(int64_t e) const { return (e / inner) % channels; }
};

// Per-channel statistics as the normalisation applies them: y = (x - shift) invstd w + b.
struct ChannelStats {
  float* shift;   // the mean (batch or running)
  float* invstd;  // 1 / sqrt(var + eps), var biased (batch) or running
};

// The running statistics and their update: running = (1 - momentum) running + momentum batch,
// the unbiased variance into var (torch's rule). mean and var are null when not tracked.
struct RunningStats {
  float* mean;
  float* var;
  float momentum, eps;
};

// Training: the batch statistics of x into st, and r updated in place.
void batch_norm_batch_stats(const ChannelShape& s, const float* x, const RunningStats& r,
                            const ChannelStats& st);
// Evaluation: st from the running statistics.
void batch_norm_running_stats(const ChannelShape& s, const RunningStats& r, const ChannelStats& st);
// y = xhat w + b with xhat = (x - shift) invstd; w, b may be null (no affine), xhat null when no
// backward will read it.
void batch_norm_apply(const ChannelShape& s, const float* x, const ChannelStats& st, const float* w,
                      const float* b, float* y, float* xhat);

// The backward from g = dL/dy (equations in norm_body.hpp). gx, gw, gb: null when not wanted.
struct BatchNormGrads {
  const float* g;
  const float* xhat;
  const float* invstd;
  const float* w;  // null without affine
  bool training;   // gx then flows through the batch statistics too
  float* gx;
  float* gw;
  float* gb;
};
void batch_norm_backward(const ChannelShape& s, const BatchNormGrads& b);

}  // namespace soma::cuda
