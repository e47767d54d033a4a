#pragma once
// A linear layer's products with periodic spike trains (periodic_spikes.hpp) as its input x
// (T, B, in): pixel k of image b (neuron b in + k) spikes at the steps t with (t + 1) % p == 0.
//   forward:  out[t, b] = beta out[t, b] + the sum of Q_b[p] over b's periods p dividing t + 1,
//             Q_b[p] = the sum of W^T's rows k over b's pixels of period p;
//   weight gradient: gW^T[k] = the sum over images b of P_b[p(b, k)],
//             P_b[p] = the sum of dL/dout[t, b] over the steps t with (t + 1) % p == 0.
// Per image that is one row of W^T read (or one row of gW^T written) per spiking pixel and about
// T ln T row additions in L1, against a row gathered per spike by the spike-row products
// (spike_matmul.hpp): a Fashion-MNIST batch (T 32, B 256) has 128 k input spikes on 50 k pixels.
// The sums run in another order than spike_matmul's, so results agree to rounding.
#include <cstdint>

#include "core/tensor/periodic_spikes.hpp"

namespace soma {

// Whether the kernels are built (not in WebAssembly, where no encoder makes such trains).
bool periodic_matmul_available();

// out (T B x n, row t B + b) = beta out + x W^T, with wt = W^T (in x n, row-major).
void periodic_matmul(const PeriodicSpikes& s, int64_t in, const float* wt, int64_t n, float beta,
                     float* out);

// gwt (in x ldw) = x^T g, g (T B x n): the transposed weight gradient. ldw is a multiple of 16
// and >= n; the columns past n get zeros.
void periodic_matmul_t(const PeriodicSpikes& s, int64_t in, const float* g, int64_t n, float* gwt,
                       int64_t ldw);

}  // namespace soma
