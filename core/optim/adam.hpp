#pragma once
// Adam and AdamW, as torch.optim.Adam / AdamW (amsgrad off). One implementation; AdamW only
// switches the weight decay to the decoupled form. For each parameter p with gradient g, at its
// step t = 1, 2, ... (counted per parameter, only on steps where it has a gradient):
//   Adam:  g <- g + weight_decay * p              (L2 penalty folded into the gradient)
//   AdamW: p <- p - lr * weight_decay * p         (decoupled; g untouched)
//   m <- beta1 * m + (1 - beta1) * g
//   v <- beta2 * v + (1 - beta2) * g^2
//   p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// State names: "step" (scalar), "exp_avg" (m), "exp_avg_sq" (v), as torch's.
#include "core/optim/optimizer.hpp"

namespace soma::optim {

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0;
};

// The same fields with torch's AdamW default weight decay.
struct AdamWOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 1e-2f;
};

class Adam : public Optimizer {
 public:
  explicit Adam(Tensors params, AdamOptions opt = {}) : Adam(std::move(params), opt, false) {}
  void step() override;
  const AdamOptions& options() const { return opt_; }
  bool decoupled_weight_decay() const { return decoupled_; }

 protected:
  Adam(Tensors params, AdamOptions opt, bool decoupled_weight_decay);
  std::vector<std::string> state_names() const override {
    return {"step", "exp_avg", "exp_avg_sq"};
  }

 private:
  void update(size_t i);
  void update_cuda(size_t i);  // the same step as one kernel on a device parameter
  AdamOptions opt_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(Tensors params, AdamWOptions opt = {})
      : Adam(std::move(params),
             AdamOptions{opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay}, true) {}
};

}  // namespace soma::optim
