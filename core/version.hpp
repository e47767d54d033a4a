#pragma once
// Soma's version, from CMake's project() (CMakeLists.txt): what `soma --version` prints.
namespace soma {

const char* version();

}  // namespace soma
