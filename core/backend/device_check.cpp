#include "core/backend/device_check.hpp"

#include <stdexcept>
#include <string>

namespace soma {

Device op_device(const char* op, std::initializer_list<const Tensor*> tensors, CudaKernel cuda) {
  bool any = false;
  Device d = Device::cpu;
  for (const Tensor* t : tensors) {
    if (!t->defined()) continue;  // optional inputs
    if (any && t->device() != d)
      throw std::invalid_argument(std::string(op) + ": inputs on different devices (" +
                                  device_name(d) + " and " + device_name(t->device()) +
                                  "); move them with .to(device) first");
    d = t->device();
    any = true;
  }
  if (d == Device::cuda && cuda == CudaKernel::none)
    throw std::runtime_error(std::string(op) +
                             ": no CUDA implementation yet for cuda tensors (Soma never falls "
                             "back to the CPU in silence); copy the inputs with .cpu()");
  return d;
}

}  // namespace soma
