// libFuzzer target: a RIFF/WAVE file through the strict reader (core/data/wav.hpp), then, for what
// it accepts, the encoder and a re-parse: a clip the reader takes must survive a round trip.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/data/wav.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  soma::fuzz::rejects_cleanly([&] {
    const soma::Wav w = soma::parse_wav(bytes, "fuzz.wav");
    const soma::Wav again = soma::parse_wav(soma::encode_wav(w), "fuzz-again.wav");
    if (again.samples != w.samples || again.channels != w.channels ||
        again.sample_rate != w.sample_rate)
      std::abort();  // the writer and the reader disagree
  });
  return 0;
}
