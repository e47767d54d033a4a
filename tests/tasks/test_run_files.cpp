// The files a run leaves: CSV quoting, plots with their own axis labels and legends off the
// curves, the progress bar's last line.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tasks/framework/csv.hpp"
#include "tasks/framework/progress_bar.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("csv: names with commas, quotes or line breaks are quoted (RFC 4180)") {
  test::TempDir dir;
  write_csv(dir / "m.csv", {"plain", "a,b", "say \"hi\""}, {{1}, {2}, {3}});
  CHECK(slurp(dir / "m.csv") == "plain,\"a,b\",\"say \"\"hi\"\"\"\n1,2,3\n");
  write_series_csv(dir / "s.csv", {Series{"angle(B, W^T)", {1}, {0.5}, {}}});
  CHECK(slurp(dir / "s.csv") == "series,x,y\n\"angle(B, W^T)\",1,0.5\n");
  CHECK(csv_field("x") == "x");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
}

TEST_CASE("csv: a missing value (NaN) is an empty cell, -0 is 0") {
  test::TempDir dir;
  write_csv(dir / "m.csv", {"a", "b"}, {{NAN, -0.0}, {1.5, 2}});
  CHECK(slurp(dir / "m.csv") == "a,b\n,1.5\n0,2\n");
}

TEST_CASE("progress bar: the last line is printed once when the output is not a terminal") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    ProgressBar bar(f);
    for (int i = 1; i <= 20; ++i) bar.update(i / 20.0, i, "status");
    bar.finish(20, "status");
  }
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
  std::fclose(f);
  size_t hundred = 0;
  for (size_t p = 0; (p = text.find("100%", p)) != std::string::npos; ++p) ++hundred;
  CHECK(hundred == 1);
  CHECK(text.find("took") != std::string::npos);
}

// The test pass's bar: a pass shorter than its quiet time leaves no line in the log.
TEST_CASE("progress bar: a quiet bar that finishes within its quiet time prints nothing") {
  for (double quiet : {0.0, 60.0}) {
    CAPTURE(quiet);
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    {
      ProgressBar bar(f, quiet);
      for (int i = 1; i <= 4; ++i) bar.update(i / 4.0, i, "test");
      bar.finish(4, "test");
    }
    const long size = std::ftell(f);
    std::fclose(f);
    CHECK((size == 0) == (quiet > 0));
  }
}

TEST_CASE("format_number: no negative zero in what a user reads") {
  CHECK(format_number(-0.0) == "0");
  CHECK(format_number(-1e-12, 4) == "-1e-12");
  CHECK(format_number(0.123456, 3) == "0.123");
}
