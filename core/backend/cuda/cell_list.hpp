#pragma once
// Every Cell of the fused scans (the CPU's cell_scan and the GPU's cell_scan.cu), for the
// template instantiations: cell_scan.cu builds its two kernels for each, no_cuda.cpp its
// throwing stubs. A new cell: its body header here and one X(...) entry.
#include "core/backend/cuda/ada_lif_body.hpp"
#include "core/backend/cuda/coba_lif_body.hpp"
#include "core/backend/cuda/iaf_body.hpp"
#include "core/backend/cuda/izhikevich_body.hpp"
#include "core/backend/cuda/lif_ex_body.hpp"
#include "core/backend/cuda/lsnn_cell_body.hpp"
#include "core/backend/cuda/refractory_body.hpp"

#define SOMA_CELLS(X) \
  X(IafCell)          \
  X(LsnnCell)         \
  X(LifExCell)        \
  X(AdExCell)         \
  X(AdaLifCell)       \
  X(IzhikevichCell)   \
  X(LifRefracCell)    \
  X(AdExRefracCell)   \
  X(CobaLifCell)

// The explicit instantiations of cuda_ops.hpp's cell_scan_forward/backward for one cell, in the
// file that defines them: SOMA_CELLS(SOMA_CELL_SCAN_INSTANCE).
#define SOMA_CELL_SCAN_INSTANCE(Cell)                                        \
  template void cell_scan_forward<Cell>(const Cell&, const CellScanArrays&); \
  template void cell_scan_backward<Cell>(const Cell&, const CellScanGrads&);
