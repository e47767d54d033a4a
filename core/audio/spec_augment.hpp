#pragma once
// SpecAugment's masks for training (Park et al. 2019), as torchaudio's FrequencyMasking and
// TimeMasking that Norse's speech task applies with parameters 15 and 35: one band of
// w = floor(U[0, max_width)) consecutive mel bins (or frames), starting at
// floor(U[0, size - w)), is overwritten. torchaudio writes 0 into a power spectrogram (silence);
// on log-mel features that are standardised later the neutral value is each bin's mean, so the
// masked entries of bin m take fill[m] (fill = nullptr: 0).
#include <cstdint>

namespace soma {

class Rng;

// spec: frames x mels, frame after frame; fill: mels values or nullptr.
void mask_frequency(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
                    const float* fill = nullptr);
void mask_time(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
               const float* fill = nullptr);

}  // namespace soma
