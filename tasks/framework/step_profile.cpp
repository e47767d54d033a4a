#include "tasks/framework/step_profile.hpp"

#include "core/backend/cpu/isa_kernels.hpp"
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
  // A per-level kernel: the baseline x86-64 loop added 1.2 ms to a 55 ms rec step (AMD EPYC).
  ones += double(active_kernels().count_nonzero(t.data(), t.numel()));
  count += double(t.numel());
}

}  // namespace soma
