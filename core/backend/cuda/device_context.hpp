#pragma once
// What the CUDA sources share: the backend's one stream and cuBLAS handle (device 0, made on
// first use), and the error check that turns a CUDA status into std::runtime_error naming the
// call. Internal to core/backend/cuda/.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace soma::cuda {

cudaStream_t stream();
cublasHandle_t cublas();

void check(cudaError_t status, const char* what);
void check(cublasStatus_t status, const char* what);

// After every kernel launch: checks cudaGetLastError (naming `what`) and counts the launch
// (work_counts, cuda_runtime.hpp). counted_gemm counts a cuBLAS call.
void launched(const char* what);
void counted_gemm();

}  // namespace soma::cuda
