#include "tasks/framework/step_profile.hpp"

#include "core/tensor/tensor.hpp"

namespace soma {

namespace {
StepProfile* installed = nullptr;
}

StepProfile* step_profile() {
  return installed;
}

void set_step_profile(StepProfile* p) {
  installed = p;
}

void count_nonzeros(const Tensor& t, double& ones, double& count) {
  const float* d = t.data();
  const int64_t size = t.numel();
  int64_t n = 0;
  for (int64_t j = 0; j < size; ++j) n += d[j] != 0.0f;
  ones += double(n);
  count += double(t.numel());
}

}  // namespace soma
