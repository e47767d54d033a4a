// TensorBoard's event-file format (core/io/tfevents.hpp). The golden bytes were serialized by
// Google's protobuf library (Debian's python3-protobuf 3.21) from a .proto with the fields that
// tfevents.hpp lists, and framed by a separate Python CRC-32C; the CRC's check value is the
// standard one of "123456789".
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/io/tfevents.hpp"

using namespace soma;

namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

}  // namespace

TEST_CASE("tfevents: CRC-32C and the TFRecord framing") {
  CHECK(crc32c("123456789") == 0xe3069283u);
  CHECK(crc32c("") == 0u);
  CHECK(hex(tf_record("abc")) == "0300000000000000b099490e6162636e57f121");
}

TEST_CASE("tfevents: events serialize as protobuf does") {
  CHECK(hex(event_scalar(1.5, 300, "loss", 0.25f)) ==
        "09000000000000f83f10ac022a0d0a0b0a046c6f7373150000803e");
  CHECK(hex(event_file_version(1.5)) == "09000000000000f83f1a0d627261696e2e4576656e743a32");
  CHECK(hex(event_session_start(1.5, 300)) == "09000000000000f83f10ac023a020801");
  CHECK(hex(event_session_start(1.5, 0)) == "09000000000000f83f3a020801");  // step 0 left out
  HistogramSummary h;
  h.min = -1;
  h.max = 2;
  h.num = 3;
  h.sum = 1;
  h.sum_squares = 5;
  h.bucket_limit = {0.5, 2};
  h.bucket = {1, 2};
  CHECK(hex(event_histogram(2.0, 1, "w", h)) ==
        "09000000000000004010012a580a560a01772a5109000000000000f0bf1100000000000000401900000000"
        "0000084021000000000000f03f2900000000000014403210000000000000e03f000000000000004"
        "03a10000000000000f03f0000000000000040");
}

TEST_CASE("tfevents: histogram buckets are right-closed, from min to max, NaN left out") {
  const float v[] = {-1.f, 0.f, 0.5f, 2.f, NAN};
  HistogramSummary h = histogram_of(v, 5, 3);
  CHECK(h.min == -1);
  CHECK(h.max == 2);
  CHECK(h.num == 4);
  CHECK(h.sum == doctest::Approx(1.5));
  CHECK(h.sum_squares == doctest::Approx(5.25));
  CHECK(h.bucket_limit == std::vector<double>{0, 1, 2});
  CHECK(h.bucket == std::vector<double>{2, 1, 1});  // (-inf, 0], (0, 1], (1, 2]

  const float same[] = {0.5f, 0.5f};
  h = histogram_of(same, 2);
  CHECK(h.bucket_limit == std::vector<double>{0.5});
  CHECK(h.bucket == std::vector<double>{2});

  const float none[] = {NAN};
  h = histogram_of(none, 1);
  CHECK(h.num == 0);
  CHECK(h.bucket.empty());
}
