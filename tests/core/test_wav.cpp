#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "core/data/wav.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

Wav tiny(int rate = 16000, int channels = 1) {
  Wav w;
  w.sample_rate = rate;
  w.channels = channels;
  w.samples = {0, 1, -1, 32767, -32768, 1234};
  return w;
}

void put_u16(std::string& b, size_t at, uint16_t v) {
  b[at] = char(v & 0xFF);
  b[at + 1] = char(v >> 8);
}
void put_u32(std::string& b, size_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) b[at + size_t(k)] = char((v >> (8 * k)) & 0xFF);
}

// The message of the error parse_wav throws for these bytes.
std::string error_of(const std::string& bytes) {
  try {
    parse_wav(bytes, "clip.wav");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("wav: a written file reads back sample for sample, with a canonical 44-byte header") {
  test::TempDir dir;
  const Wav w = tiny();
  write_wav(dir / "a.wav", w);
  const std::string bytes = encode_wav(w);
  CHECK(bytes.size() == 44 + 2 * w.samples.size());
  CHECK(bytes.substr(0, 4) == "RIFF");
  CHECK(bytes.substr(36, 4) == "data");
  Wav r = read_wav_16k_mono(dir / "a.wav");
  CHECK(r.sample_rate == 16000);
  CHECK(r.channels == 1);
  CHECK(r.samples == w.samples);
  // Stereo at another rate parses; the Speech Commands reader names the field that is wrong.
  write_wav(dir / "b.wav", tiny(22050, 2));
  CHECK(read_wav(dir / "b.wav").frames() == 3);
  try {
    read_wav_16k_mono(dir / "b.wav");
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    CHECK(m.find("b.wav") != std::string::npos);
    CHECK(m.find("fmt.sample_rate is 22050") != std::string::npos);
  }
}

TEST_CASE("wav: chunks other than fmt and data are skipped, odd sizes padded") {
  std::string b = encode_wav(tiny());
  // Insert a 3-byte LIST chunk (padded to 4) between fmt and data.
  std::string list = std::string("LIST") + std::string(4, '\0') + "abc" + std::string(1, '\0');
  put_u32(list, 4, 3);
  b.insert(36, list);
  put_u32(b, 4, uint32_t(b.size() - 8));
  CHECK(parse_wav(b, "x").samples == tiny().samples);
}

TEST_CASE("wav: a corrupt header names the file and the field") {
  const std::string good = encode_wav(tiny());
  auto with = [&](auto edit) {
    std::string b = good;
    edit(b);
    return error_of(b);
  };
  CHECK(error_of("RIF") == "clip.wav: file is 3 bytes, too short for a RIFF header");
  CHECK(with([](std::string& b) { b[0] = 'X'; }) == "clip.wav: riff.id is not 'RIFF'");
  CHECK(with([](std::string& b) { b[8] = 'X'; }) == "clip.wav: riff.format is not 'WAVE'");
  CHECK(with([](std::string& b) { put_u32(b, 4, 1000); }) ==
        "clip.wav: riff.size is 1000, expected file size - 8 = 48");
  CHECK(with([](std::string& b) { put_u16(b, 20, 3); }) ==
        "clip.wav: fmt.audio_format is 3, expected PCM = 1");
  CHECK(with([](std::string& b) { put_u16(b, 34, 8); }) ==
        "clip.wav: fmt.bits_per_sample is 8, expected 16-bit PCM = 16");
  CHECK(with([](std::string& b) { put_u16(b, 32, 4); }) ==
        "clip.wav: fmt.block_align is 4, expected channels * bits / 8 = 2");
  CHECK(with([](std::string& b) { put_u32(b, 28, 16000); }) ==
        "clip.wav: fmt.byte_rate is 16000, expected sample_rate * block_align = 32000");
  CHECK(with([](std::string& b) { put_u16(b, 22, 0); }) == "clip.wav: fmt.channels is 0");
  // A data chunk that claims more bytes than the file has: truncated, not a short clip.
  CHECK(with([](std::string& b) {
          b.resize(b.size() - 4);
          put_u32(b, 4, uint32_t(b.size() - 8));
        }) == "clip.wav: data chunk size is 12, but only 8 bytes follow");
  CHECK(with([](std::string& b) {
          b[36] = 'x';  // the data chunk becomes an unknown one
        }) == "clip.wav: no data chunk");
  CHECK(with([](std::string& b) {
          put_u32(b, 40, 11);  // odd: not whole samples
          b.resize(44 + 12);
        }).find("data chunk size 11 is not a multiple of block_align 2") != std::string::npos);
  // A missing file is an error too.
  CHECK_THROWS_AS(read_wav("/nonexistent/clip.wav"), std::runtime_error);
}
