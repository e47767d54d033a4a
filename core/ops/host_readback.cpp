#include "core/ops/host_readback.hpp"

#include "core/autograd/grad_mode.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

Tensors to_host(const Tensors& xs) {
  NoGrad no_grad;
  Tensors out(xs.size()), parts;
  for (size_t k = 0; k < xs.size(); ++k) {
    if (xs[k].device() == Device::cpu)
      out[k] = xs[k].detach();
    else if (xs[k].numel() == 0)
      out[k] = Tensor::zeros(xs[k].shape());
    else
      parts.push_back(reshape(xs[k].detach(), {-1}));
  }
  if (parts.empty()) return out;
  const Tensor flat = (parts.size() == 1 ? parts[0] : cat(parts)).cpu();
  int64_t at = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    if (out[k].defined()) continue;
    const int64_t n = xs[k].numel();
    out[k] = reshape(slice(flat, 0, at, at + n), xs[k].shape());
    at += n;
  }
  return out;
}

}  // namespace soma
