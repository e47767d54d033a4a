// The CPU kernels at level v3 (isa.hpp); the flags are set in CMakeLists.txt.
#define SOMA_ISA_NS isa_v3
#include "core/backend/cpu/kernels_isa.inl"
