#pragma once
// Alignment diagnostics of the backward weights (PAL paper, Fig 3):
//   angle(A, B) = arccos(trace(A^T B) / (|A|_F |B|_F)) in degrees (NaN if either is zero);
//   angle(BPP_k, W_top^T), and the phi'-weighted version against
//   diag(phi'(u_breve_k)) W_top^T diag(phi'(u_breve_top)), B's fixed point for nonlinear nets.
// Both need B and W_top^T of equal shape: always in the layered topology, only for the last
// hidden layer in the skip topology (NaN otherwise).
#include "tasks/microcircuit/model.hpp"

namespace soma::mc {

double angle_deg(const Mat& a, const Mat& b);
double angle_B_WT(const Model& m, int k);
double angle_B_weighted(const Model& m, int k);

}  // namespace soma::mc
