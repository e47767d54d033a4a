#pragma once
// The store/recall memory data set (Norse's MemoryStoreRecallDataset, after Bellec et al. 2019).
// A sample is `repetitions` blocks of `periods` command periods of `period_length` steps each. In
// every period a random bit is shown on two data channels (one-hot); in one period of the first
// half of a block a "store" command is on, in one period of the second half a "recall" command,
// and the data channels are silent during recall. The target at the recall period is the bit
// shown at the store period. Each of the 4 channels (bit 0, bit 1, store, recall) is a population
// of `population` Poisson inputs: data at rate_hz, commands at rate_hz / 2.
// Samples are drawn from Rng(seed + index), so any sample can be regenerated from its index.
#include <cstdint>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

struct MemoryDataOptions {
  int64_t period_length = 200;
  int64_t periods = 12;
  int64_t repetitions = 1;
  int64_t population = 5;
  float rate_hz = 100;
  float dt = 1e-3f;
  int64_t inputs() const { return 4 * population; }
  int64_t total_periods() const { return periods * repetitions; }
  int64_t steps() const { return period_length * total_periods(); }
};

struct MemoryBatch {
  Tensor inputs;  // (T, B, 4 * population) spikes
  Tensor labels;  // (P, B, 2) one-hot bit at recall periods, zero elsewhere (P = total periods)
  Tensor recall;  // (P, B, 1) 1 at recall periods
};

MemoryBatch make_memory_batch(const MemoryDataOptions& o, const std::vector<uint64_t>& seeds);

}  // namespace soma
