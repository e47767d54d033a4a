#include "core/backend/isa.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/parallel.hpp"

#ifdef SOMA_ISA_X86  // set by CMakeLists.txt when kernels_isa_v3/v4.cpp are built
#include <cpuid.h>
#endif

namespace soma {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::generic:
      return "generic";
    case Isa::v3:
      return "v3";
    case Isa::v4:
      return "v4";
  }
  return "?";
}

std::optional<Isa> parse_isa(const std::string& name) {
  for (Isa isa : {Isa::generic, Isa::v3, Isa::v4})
    if (name == isa_name(isa)) return isa;
  return std::nullopt;
}

const IsaKernels& isa_kernels(Isa isa) {
#ifdef SOMA_ISA_X86
  if (isa == Isa::v3) return isa_v3::kernels();
  if (isa == Isa::v4) return isa_v4::kernels();
#endif
  (void)isa;
  return isa_generic::kernels();
}

namespace {

#ifdef SOMA_ISA_X86
// The CPU features the -march levels let the compiler use (GCC's x86-64-v3: AVX2, FMA, BMI1/2,
// F16C, LZCNT, MOVBE; x86-64-v4 adds AVX-512 F/BW/CD/DQ/VL), one bit each; libgcc's
// __builtin_cpu_supports also checks that the OS saves the AVX/AVX-512 registers.
// F16C (CPUID leaf 1, ECX bit 29) read directly: clang 14's __builtin_cpu_supports does not
// know "f16c" (the sanitize preset failed to compile). The AVX2 check covers OS support.
bool has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}

unsigned feature_bits() {
  __builtin_cpu_init();
  unsigned bits = 0, bit = 1;
  auto add = [&](bool has) {
    if (has) bits |= bit;
    bit <<= 1;
  };
  add(__builtin_cpu_supports("avx2"));
  add(__builtin_cpu_supports("fma"));
  add(__builtin_cpu_supports("bmi"));
  add(__builtin_cpu_supports("bmi2"));
  add(has_f16c());
  add(__builtin_cpu_supports("avx512f"));
  add(__builtin_cpu_supports("avx512bw"));
  add(__builtin_cpu_supports("avx512cd"));
  add(__builtin_cpu_supports("avx512dq"));
  add(__builtin_cpu_supports("avx512vl"));
  return bits;
}
constexpr unsigned kV3Bits = 0x1f, kV4Bits = 0x3ff;

std::string cpu_brand() {
  unsigned regs[12] = {};
  unsigned max = __get_cpuid_max(0x80000000u, nullptr);
  if (max < 0x80000004u) return "unknown x86-64";
  for (unsigned leaf = 0; leaf < 3; ++leaf)
    __get_cpuid(0x80000002u + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2],
                &regs[4 * leaf + 3]);
  std::string s(reinterpret_cast<const char*>(regs), sizeof regs);
  s = s.c_str();  // up to the first NUL
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  const size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "unknown x86-64" : s.substr(b, e - b + 1);
}
#endif

}  // namespace

const std::vector<Isa>& available_isas() {
  static const std::vector<Isa> levels = [] {
    std::vector<Isa> l{Isa::generic};
#ifdef SOMA_ISA_X86
    const unsigned bits = feature_bits();
    if ((bits & kV3Bits) == kV3Bits) l.push_back(Isa::v3);
    if ((bits & kV4Bits) == kV4Bits) l.push_back(Isa::v4);
#endif
    return l;
  }();
  return levels;
}

std::string isa_cache_key() {
#ifdef SOMA_ISA_X86
  char bits[16];
  std::snprintf(bits, sizeof bits, "%03x", feature_bits());
  return cpu_brand() + "\t" + bits;
#else
  return "generic";
#endif
}

std::string isa_cache_path() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/soma/isa";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/soma/isa";
  return "";
}

std::optional<IsaCacheLines> parse_isa_cache(const std::string& text) {
  IsaCacheLines lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.rfind('\t');
    if (tab == std::string::npos || tab == 0) return std::nullopt;
    const std::optional<Isa> isa = parse_isa(line.substr(tab + 1));
    if (!isa) return std::nullopt;
    lines.emplace_back(line.substr(0, tab), *isa);
  }
  return lines;
}

std::string format_isa_cache(const IsaCacheLines& lines) {
  std::string s =
      "# soma: the faster CPU kernel level per machine (CPU brand, feature bits, level)\n";
  for (const auto& [key, isa] : lines) s += key + "\t" + isa_name(isa) + "\n";
  return s;
}

namespace {

std::optional<IsaCacheLines> read_cache(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return IsaCacheLines{};  // no cache yet
  std::stringstream text;
  text << f.rdbuf();
  return parse_isa_cache(text.str());
}

// Writes the file whole or not at all: a temporary file beside it, renamed over it. A cache
// that cannot be written (read-only home) is not an error: the next process measures again.
void write_cache(const std::string& path, const IsaCacheLines& lines) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp." + std::to_string(long(getpid()));
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return;
    f << format_isa_cache(lines);
    if (!f.flush()) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

bool has(const std::vector<Isa>& levels, Isa isa) {
  for (Isa l : levels)
    if (l == isa) return true;
  return false;
}

std::string level_list(const std::vector<Isa>& levels) {
  std::string s;
  for (Isa l : levels) s += std::string(s.empty() ? "" : ", ") + isa_name(l);
  return s;
}

// The faster of v3 and v4: alternating rounds, the best of each (a round disturbed by another
// process only loses).
Isa measure_faster(const std::function<double(Isa)>& measure) {
  double best3 = 1e30, best4 = 1e30;
  for (int round = 0; round < 4; ++round) {
    best3 = std::min(best3, measure(Isa::v3));
    best4 = std::min(best4, measure(Isa::v4));
  }
  return best4 < best3 ? Isa::v4 : Isa::v3;
}

}  // namespace

IsaChoice choose_isa(const IsaChoiceInputs& in) {
  if (in.forced && *in.forced) {
    const std::optional<Isa> isa = parse_isa(in.forced);
    if (!isa)
      throw std::invalid_argument(std::string("SOMA_ISA=") + in.forced +
                                  ": not a level (generic, v3 = x86-64-v3 AVX2, v4 = x86-64-v4 "
                                  "AVX-512)");
    if (!has(in.available, *isa))
      throw std::invalid_argument(std::string("SOMA_ISA=") + in.forced +
                                  ": this CPU (or build) cannot run that level; it runs " +
                                  level_list(in.available));
    return {*isa, "forced by SOMA_ISA"};
  }
  if (!has(in.available, Isa::v3) || !has(in.available, Isa::v4))
    return {in.available.back(), "only level"};
  std::optional<IsaCacheLines> lines =
      in.cache_path.empty() ? std::nullopt : read_cache(in.cache_path);
  if (lines)
    for (const auto& [key, isa] : *lines)
      if (key == in.cache_key && has(in.available, isa)) return {isa, "cached"};
  const Isa isa = measure_faster(in.measure);
  if (!in.cache_path.empty()) {
    IsaCacheLines keep;  // other machines' lines survive; a corrupt file is replaced
    if (lines)
      for (const auto& l : *lines)
        if (l.first != in.cache_key) keep.push_back(l);
    keep.emplace_back(in.cache_key, isa);
    write_cache(in.cache_path, keep);
  }
  return {isa, "measured"};
}

namespace {

double thread_seconds() {
#ifdef CLOCK_THREAD_CPUTIME_ID
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return double(ts.tv_sec) + 1e-9 * ts.tv_nsec;
#endif
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const IsaChoice& active_choice() {
  static const IsaChoice choice = [] {
    IsaChoiceInputs in{std::getenv("SOMA_ISA"), available_isas(), isa_cache_path(), "",
                       isa_gemm_seconds};
    in.cache_key = isa_cache_key();
    try {
      return choose_isa(in);
    } catch (const std::invalid_argument& e) {
      // Called from inside the kernels (maybe on an OpenMP thread): no exception can travel.
      std::fprintf(stderr, "soma: %s\n", e.what());
      std::exit(2);
    }
  }();
  return choice;
}

}  // namespace

Isa active_isa() {
  return active_choice().isa;
}

const char* active_isa_reason() {
  return active_choice().how;
}

double isa_gemm_seconds(Isa isa) {
  // x (256 x 512) W^T with W (128 x 512), a linear layer's product: 33.5 MFLOP per call, a
  // warm-up call, then the thread's CPU time for 6 calls (a few ms at either level).
  constexpr int64_t m = 256, n = 128, k = 512;
  std::vector<float> a(size_t(m * k)), b(size_t(n * k)), c(size_t(m * n));
  for (size_t j = 0; j < a.size(); ++j) a[j] = float(j % 17) * 0.0625f - 0.5f;
  for (size_t j = 0; j < b.size(); ++j) b[j] = float(j % 13) * 0.0625f - 0.375f;
  const IsaKernels& kern = isa_kernels(isa);
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);  // Eigen reads its thread count from here
#endif
  kern.gemm(false, true, m, n, k, 1, a.data(), b.data(), 0, c.data());
  const double t0 = thread_seconds();
  for (int r = 0; r < 6; ++r) kern.gemm(false, true, m, n, k, 1, a.data(), b.data(), 0, c.data());
  const double t = thread_seconds() - t0;
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  return t;
}

}  // namespace soma
