#pragma once
// SOMA_HD marks a kernel body that both nvcc (inside a __global__ kernel) and the host compiler
// (the CPU test suite, which emulates the grid with a loop) compile. The bodies hold each
// kernel's per-element or per-neuron arithmetic; the .cu files add only the thread indexing and
// the launch. So the math of every kernel is checked against the CPU ops on a machine without a
// GPU (tests/core/test_cuda_bodies.cpp), and the GPU suite (tests/cuda/) checks the rest.
//
// Bodies use only the C math functions that CUDA provides on the device (fabsf, expf, ...), from
// <math.h> on the host, and no exceptions or allocation.
#include <math.h>

#include <cstdint>

#if defined(__CUDACC__)
#define SOMA_HD __host__ __device__
#else
#define SOMA_HD
#endif

// Full unrolling of a loop of constant trip count, so that a small array indexed by its counter
// stays in registers (nvcc); nothing on the host.
#if defined(__CUDACC__)
#define SOMA_UNROLL _Pragma("unroll")
#else
#define SOMA_UNROLL
#endif
