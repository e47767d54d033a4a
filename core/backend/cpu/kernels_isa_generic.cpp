// The CPU kernels at level generic (isa.hpp); the flags are set in CMakeLists.txt.
#define SOMA_ISA_NS isa_generic
#include "core/backend/cpu/kernels_isa.inl"
