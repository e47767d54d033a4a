#pragma once
// Log-mel spectrogram, the front end of Norse's speech_commands task (torchaudio's
// MelSpectrogram(sample_rate=16000, n_mels=80) with its defaults), followed by a log:
//   - frames of n_fft = 400 samples (25 ms) every hop = 200 samples (12.5 ms), "centred": the
//     signal is reflect-padded by n_fft / 2 on both sides, so a clip of S samples gives
//     1 + S / hop frames (16,000 samples -> 81 frames);
//   - periodic Hann window w_n = 0.5 - 0.5 cos(2 pi n / n_fft);
//   - power spectrum |X_k|^2, k = 0 .. n_fft / 2 (core/audio/fft.hpp: kissfft);
//   - n_mels triangular filters on the HTK mel scale m(f) = 2595 log10(1 + f / 700), centres
//     equally spaced in mel between f_min = 0 and f_max = sample_rate / 2, each rising from its
//     left neighbour's centre to 1 at its own and falling to 0 at its right neighbour's, sampled
//     at the FFT bin frequencies f_k = k * sample_rate / n_fft (no area normalisation);
//   - log(mel + floor), floor 1e-6 (Norse feeds the power itself; the log keeps quiet and loud
//     clips on one scale, as every keyword-spotting front end does).
// With 201 bins 40 Hz apart and 80 filters, the lowest filters are narrower than a bin: the first
// twelve see one or two bins each (torchaudio warns about the same). They stay, as in Norse; a
// per-bin standardisation puts them on the same scale as the rest.
#include <cstdint>
#include <vector>

#include "core/audio/fft.hpp"

namespace soma {

struct MelOptions {
  int sample_rate = 16000;
  int n_fft = 400;
  int hop = 200;
  int n_mels = 80;
  float f_min = 0;
  float f_max = 8000;
  float log_floor = 1e-6f;
};

float hz_to_mel(float hz);
float mel_to_hz(float mel);

// Filter m's weight of FFT bin k at [m * bins + k], bins = n_fft / 2 + 1.
std::vector<float> mel_filterbank(const MelOptions& o);

class LogMel {
 public:
  explicit LogMel(const MelOptions& o = {});
  const MelOptions& options() const { return o_; }
  int64_t frames(int64_t samples) const { return 1 + samples / o_.hop; }
  // wave: `samples` values (any scale; Speech Commands: int16 / 32768). out: frames(samples) x
  // n_mels, frame after frame. Not thread-safe (one FFT scratch buffer).
  void compute(const float* wave, int64_t samples, float* out);
  // The power mel spectrum without the log (for tests).
  void power(const float* wave, int64_t samples, float* out);

 private:
  struct Band {
    int first = 0;               // first bin with a non-zero weight
    std::vector<float> weights;  // consecutive bins from `first`
  };
  MelOptions o_;
  RealFft fft_;
  std::vector<float> window_, frame_, spectrum_;
  std::vector<Band> bands_;
};

}  // namespace soma
