#pragma once
// The instruction-set level the CPU kernels run at, chosen once per process. Soma builds as one
// portable x86-64 binary; the GEMM, spike-product and neuron-scan kernels are compiled three
// times (core/backend/cpu/kernels_isa_*.cpp): generic (the build's own flags: x86-64, or
// WebAssembly), x86-64-v3 (AVX2, FMA) and x86-64-v4 (AVX-512). The choice:
//   1. SOMA_ISA=generic|v3|v4 forces a level; a level the CPU lacks (or that this build does
//      not have) stops the process with a message and exit code 2.
//   2. Otherwise, when the CPU runs only one of v3 and v4 (or neither), the highest it runs.
//   3. Otherwise a one-time single-thread GEMM benchmark (thread CPU time, about 50 ms) picks the
//      faster, cached in $XDG_CACHE_HOME/soma/isa (else ~/.cache/soma/isa), one line per machine
//      keyed by the CPU's brand string and feature bits. AVX-512 is not always faster: on the
//      AMD EPYC dev machines Eigen's AVX-512 GEMM ran at 120 GFLOP/s against AVX2's 210, on an
//      Intel Xeon the v4 build trained 1.7x faster than v3.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace soma {

enum class Isa { generic, v3, v4 };

const char* isa_name(Isa isa);                          // "generic", "v3", "v4"
std::optional<Isa> parse_isa(const std::string& name);  // nullopt for an unknown name

// The levels this build compiled and this CPU runs, lowest first (always starts with generic).
const std::vector<Isa>& available_isas();

// The level every kernel call uses, chosen on first use (thread-safe).
Isa active_isa();

// "brand<TAB>feature bits": what the cached choice is valid for.
std::string isa_cache_key();
// $XDG_CACHE_HOME/soma/isa, else $HOME/.cache/soma/isa; "" when neither is set.
std::string isa_cache_path();

// The cache file: one "key<TAB>level" line per machine. parse_isa_cache returns nullopt for a
// file that is not well formed (the caller ignores it and rewrites it); otherwise the lines.
using IsaCacheLines = std::vector<std::pair<std::string, Isa>>;
std::optional<IsaCacheLines> parse_isa_cache(const std::string& text);
std::string format_isa_cache(const IsaCacheLines& lines);

// The choice, with its inputs explicit (active_isa passes the environment, the CPU, the cache
// and the benchmark). forced: SOMA_ISA's value or null. measure(isa) returns seconds for a fixed
// amount of work. A bad forced value throws std::invalid_argument naming SOMA_ISA.
struct IsaChoiceInputs {
  const char* forced = nullptr;
  std::vector<Isa> available;
  std::string cache_path, cache_key;
  std::function<double(Isa)> measure;
};
struct IsaChoice {
  Isa isa;
  const char* how;  // "forced by SOMA_ISA", "only level", "cached", "measured"
};
IsaChoice choose_isa(const IsaChoiceInputs& in);
// How the active level was chosen (one of IsaChoice::how).
const char* active_isa_reason();

// Single-thread GEMM seconds (thread CPU time, best of several) at a level: the benchmark.
double isa_gemm_seconds(Isa isa);

}  // namespace soma
