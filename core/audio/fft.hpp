#pragma once
// The power spectrum of a real frame through kissfft (Debian's libkissfft-dev, BSD; its float
// build). X_k = sum_n x_n e^{-2 pi i k n / N}, k = 0 .. N/2, and power_k = |X_k|^2, as
// torch.stft followed by abs()^2. N must be even (kiss_fftr's real transform works on N/2
// complex points); 400, Speech Commands' 25 ms frame, is 2^4 * 5^2, which kissfft's mixed-radix
// butterflies handle directly.
//
// Native only: Debian's Emscripten has no kissfft, so core/audio/ is left out of the WebAssembly
// build (CMakeLists.txt) and its tests are guarded.
#include <memory>
#include <vector>

namespace soma {

class RealFft {
 public:
  explicit RealFft(int n);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int size() const { return n_; }
  int bins() const { return n_ / 2 + 1; }
  // in: n samples; out: bins() values |X_k|^2. Not thread-safe (one scratch buffer).
  void power(const float* in, float* out);

 private:
  int n_;
  void* cfg_;                   // kiss_fftr_cfg
  std::vector<float> scratch_;  // bins() complex values as (re, im) pairs
};

}  // namespace soma
