#include "tasks/framework/progress_bar.hpp"

#include <algorithm>
#include <cmath>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace soma {

std::string format_number(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v == 0 ? 0.0 : v);
  return buf;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long s = long(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::FILE* out, double quiet_s)
    : out_(out), quiet_s_(quiet_s), start_(std::chrono::steady_clock::now()), last_draw_(start_) {
#if defined(__unix__) || defined(__APPLE__)
  tty_ = isatty(fileno(out)) != 0;
#else
  tty_ = false;
#endif
}

std::string ProgressBar::line(double fraction, int64_t steps, const std::string& status) const {
  constexpr int kWidth = 24;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int filled = int(fraction * kWidth);
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, '.');
  double rate = elapsed > 0 ? double(steps) / elapsed : 0;
  double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : NAN;
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%s] %3d%%  %.1f it/s  %s %s  ", bar.c_str(), int(fraction * 100),
                rate, fraction >= 1 ? "took" : "ETA",
                format_duration(fraction >= 1 ? elapsed : eta).c_str());
  return buf + status;
}

void ProgressBar::update(double fraction, int64_t steps, const std::string& status) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - start_).count() < quiet_s_) return;
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    std::fprintf(out_, "\r\033[K%s", line(fraction, steps, status).c_str());
  } else {
    int decile = int(fraction * 10);
    if (decile >= 10) return;  // the 100% line is finish()'s: printed once
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(out_, "%s\n", line(fraction, steps, status).c_str());
  }
  std::fflush(out_);
  last_draw_ = now;
  drawn_ = true;
}

void ProgressBar::finish(int64_t steps, const std::string& status) {
  if (quiet_s_ > 0 && !drawn_) return;
  std::fprintf(out_, tty_ ? "\r\033[K%s\n" : "%s\n", line(1.0, steps, status).c_str());
  std::fflush(out_);
}

}  // namespace soma
