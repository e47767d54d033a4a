#pragma once
// The GPU's sparse path of linear_neuron_sequence (ff_layer.cpp): an input of spikes (0 and 1
// only, few ones) times W^T as sums of the rows of W^T its spikes pick, in place of the dense
// GEMM (kernels in core/backend/cuda/spike_body.hpp). Built with SOMA_CUDA alone; the caller
// calls it under #ifdef SOMA_CUDA.
#include "core/tensor/tensor.hpp"

namespace soma::cuda_ops {

// Densities above which the dense GEMM is expected faster, by estimate (spike_body.hpp; to be
// measured by bench_lif_layer --device cuda on a GPU): fp32 and TF32 GEMMs.
constexpr double kSpikeDensityFp32 = 0.05, kSpikeDensityTf32 = 0.01;

// x (..., k) W^T + bias for cuda tensors, weight (n, k), when x holds only 0 and 1 and at most
// min(max_density, the cap above for the GEMM mode) of it is 1; otherwise an undefined Tensor,
// and the caller runs the GEMM. No gradient: only for calls that record none. Reads the counts
// of ones and of other values back from the device (one wait for the device per call).
Tensor spike_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, double max_density);

}  // namespace soma::cuda_ops
