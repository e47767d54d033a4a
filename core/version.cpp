#include "core/version.hpp"

#ifndef SOMA_VERSION_STRING
#error "SOMA_VERSION_STRING comes from CMakeLists.txt (project VERSION)"
#endif

namespace soma {

const char* version() {
  return SOMA_VERSION_STRING;
}

}  // namespace soma
