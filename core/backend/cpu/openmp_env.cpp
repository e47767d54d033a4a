#include "core/backend/openmp_env.hpp"

#include <cstdlib>

#if defined(_OPENMP) && defined(__linux__)
#include <unistd.h>
#endif

namespace soma {

void use_passive_openmp_wait(char** argv) {
#if defined(_OPENMP) && defined(__linux__)
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "passive", 0);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the default policy
#else
  (void)argv;
#endif
}

}  // namespace soma
