#pragma once
// Where a tensor's storage lives. cpu: host memory that every op can read. cuda: memory of the
// (first) GPU, reachable only through the CUDA backend (core/backend/cuda_runtime.hpp); a build
// without SOMA_CUDA refuses to create such storage.
namespace soma {

enum class Device { cpu, cuda };
const char* device_name(Device d);

}  // namespace soma
