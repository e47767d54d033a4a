// The `soma` command: list, run and resume tasks (see tasks/framework/cli.hpp).
#include <iostream>

#include "core/backend/malloc_policy.hpp"
#include "core/backend/openmp_env.hpp"
#include "tasks/framework/cli.hpp"

int main(int argc, char** argv) {
  soma::use_passive_openmp_wait(argv);
  soma::keep_freed_memory();
  return soma::soma_main({argv + 1, argv + argc}, std::cout, std::cerr);
}
