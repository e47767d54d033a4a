// The CPU kernels at level v4 (isa.hpp); the flags are set in CMakeLists.txt.
#define SOMA_ISA_NS isa_v4
#include "core/backend/cpu/kernels_isa.inl"
