#pragma once
// Soma's CUDA emulator: the part of cuBLAS that core/backend/cuda/gemm.cpp calls (column-major
// SGEMM, its stream and math mode), run on the host by core/backend/cuda_emu/emulator.cpp. See
// cuda_runtime_api.h beside this for why. TF32 mode rounds both inputs to TF32 (10 mantissa
// bits, round to nearest) before the product, as the tensor cores do, so the --tf32 tolerance
// test measures a real loss of precision here too.
#include "cuda_runtime_api.h"

typedef struct SomaEmuCublas* cublasHandle_t;

typedef enum {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_INVALID_VALUE = 7,
  CUBLAS_STATUS_EXECUTION_FAILED = 13,
} cublasStatus_t;

typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef enum { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 } cublasMath_t;

cublasStatus_t cublasCreate(cublasHandle_t* handle);
cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
const char* cublasGetStatusString(cublasStatus_t status);
cublasStatus_t cublasSgemm(cublasHandle_t handle, cublasOperation_t transa,
                           cublasOperation_t transb, int m, int n, int k, const float* alpha,
                           const float* a, int lda, const float* b, int ldb, const float* beta,
                           float* c, int ldc);
