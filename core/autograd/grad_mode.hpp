#pragma once
// Thread-local switch for recording; NoGrad is the RAII scope (torch.no_grad()).

namespace soma {

struct GradMode {
  static bool enabled();
  static void set_enabled(bool on);
};

class NoGrad {
 public:
  NoGrad() : prev_(GradMode::enabled()) { GradMode::set_enabled(false); }
  ~NoGrad() { GradMode::set_enabled(prev_); }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool prev_;
};

}  // namespace soma
