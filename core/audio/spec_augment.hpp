#pragma once
// SpecAugment's masks for training (Park et al. 2019), as torchaudio's FrequencyMasking and
// TimeMasking that Norse's speech task applies with parameters 15 and 35: one band of
// w = floor(U[0, max_width)) consecutive mel bins (or frames), starting at
// floor(U[0, size - w)), is set to `value`. On standardised features value 0 is the mean, which
// is what a masked band of a normalised spectrogram should look like.
#include <cstdint>

namespace soma {

class Rng;

// spec: frames x mels, frame after frame.
void mask_frequency(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
                    float value = 0);
void mask_time(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
               float value = 0);

}  // namespace soma
