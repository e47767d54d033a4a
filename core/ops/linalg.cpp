#include "core/ops/linalg.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"
#include "core/backend/periodic_matmul.hpp"
#include "core/backend/spike_matmul.hpp"

namespace soma {

namespace {

struct MatmulDims {
  int64_t batch, n, k, m;
  bool shared_b;  // b is one (k, m) matrix used by every batch entry
};

MatmulDims matmul_dims(const Tensor& a, const Tensor& b) {
  auto fail = [&] {
    throw std::invalid_argument("matmul: cannot multiply " + to_string(a.shape()) + " by " +
                                to_string(b.shape()));
  };
  if (a.dim() < 2 || b.dim() < 2) fail();
  MatmulDims d{a.numel() / (a.size(-2) * a.size(-1)), a.size(-2), a.size(-1), b.size(-1),
               b.dim() == 2};
  if (b.size(-2) != d.k) fail();
  if (!d.shared_b && (b.dim() != a.dim() ||
                      !std::equal(a.shape().begin(), a.shape().end() - 2, b.shape().begin())))
    fail();
  return d;
}

// C[i] = op(A[i]) op(B[i]) for each batch entry; a stride of 0 reuses one matrix.
void batched_gemm(Device dev, int64_t batch, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                  const float* a, int64_t sa, const float* b, int64_t sb, float beta, float* c,
                  int64_t sc) {
  for (int64_t i = 0; i < batch; ++i)
    gemm(dev, ta, tb, m, n, k, 1.0f, a + i * sa, b + i * sb, beta, c + i * sc);
}

}  // namespace

// Runs on the inputs' device: gemm dispatches to cuBLAS for cuda tensors, hence raw_data().
Tensor matmul(const Tensor& a, const Tensor& b) {
  MatmulDims d = matmul_dims(a, b);
  const Device dev = require_device("matmul", a, b);
  Shape shape = a.shape();
  shape.back() = d.m;
  Tensor out = Tensor::uninitialized(shape, dev);
  if (d.shared_b)  // all leading dims fold into the rows of one GEMM
    gemm(dev, false, false, d.batch * d.n, d.m, d.k, 1.0f, a.raw_data(), b.raw_data(), 0.0f,
         out.raw_data());
  else
    batched_gemm(dev, d.batch, false, false, d.n, d.m, d.k, a.raw_data(), d.n * d.k, b.raw_data(),
                 d.k * d.m, 0.0f, out.raw_data(), d.n * d.m);
  Tensor da = a.detach(), db = b.detach();
  return record("matmul", out, {a, b}, [da, db, d, dev](const Tensor& g) {
    Tensor ga = Tensor::uninitialized(da.shape(), dev), gb = Tensor::uninitialized(db.shape(), dev);
    const float *pg = g.raw_data(), *pa = da.raw_data(), *pb = db.raw_data();
    if (d.shared_b) {
      int64_t rows = d.batch * d.n;
      gemm(dev, false, true, rows, d.k, d.m, 1.0f, pg, pb, 0.0f, ga.raw_data());
      gemm(dev, true, false, d.k, d.m, rows, 1.0f, pa, pg, 0.0f, gb.raw_data());
    } else {
      batched_gemm(dev, d.batch, false, true, d.n, d.k, d.m, pg, d.n * d.m, pb, d.k * d.m, 0.0f,
                   ga.raw_data(), d.n * d.k);
      batched_gemm(dev, d.batch, true, false, d.k, d.m, d.n, pa, d.n * d.k, pg, d.n * d.m, 0.0f,
                   gb.raw_data(), d.k * d.m);
    }
    return Tensors{ga, gb};
  });
}

namespace {

struct LinearDims {
  int64_t rows, in, out;
};

// The input when it is binary spikes at low density, else null (dense path).
std::shared_ptr<SpikeRows> as_spikes(const Tensor& x, LinearDims d) {
  auto s = std::make_shared<SpikeRows>();
  return spike_rows(x, d.rows, d.in, kSpikeDensityThreshold, *s) ? s : nullptr;
}

// The input's periodic trains (periodic_spikes.hpp, the constant-current encoder's) when the
// periodic products can take them, else null.
const PeriodicSpikes* as_trains(const Tensor& x, LinearDims d) {
  const PeriodicSpikes* p = x.defined() ? x.periodic_spikes() : nullptr;
  return p && p->width % d.in == 0 && periodic_matmul_available() ? p : nullptr;
}

// gW (out x in) = g^T x, through the periodic trains or the spike rows when the input was
// sparse.
Tensor weight_grad(const Tensor& g, const Tensor& x, const SpikeRows* spikes, LinearDims d) {
  Tensor gw = Tensor::uninitialized({d.out, d.in});
  if (const PeriodicSpikes* periodic = as_trains(x, d)) {
    const int64_t ldw = (d.out + 15) / 16 * 16;
    Tensor gwt = Tensor::uninitialized({d.in, ldw});
    periodic_matmul_t(*periodic, d.in, g.data(), d.out, gwt.data(), ldw);
    gw.matrix(d.out, d.in) = gwt.matrix(d.in, ldw).leftCols(d.out).transpose();
    return gw;
  }
  if (!spikes) {
    gemm(true, false, d.out, d.in, d.rows, 1.0f, g.data(), x.data(), 0.0f, gw.data());
    return gw;
  }
  Tensor gwt = Tensor::uninitialized({d.in, d.out});
  spike_matmul_t(*spikes, 0, d.rows, d.in, g.data(), d.out, 0.0f, gwt.data());
  gw.matrix(d.out, d.in) = gwt.matrix(d.in, d.out).transpose();
  return gw;
}

// linear on cuda tensors: dense GEMMs through cuBLAS (no spike-row path); the bias enters as a
// rank-1 GEMM ones (rows x 1) b (1 x out), and its gradient as ones^T g.
Tensor linear_cuda(const Tensor& x, const Tensor& weight, const Tensor& bias, LinearDims d) {
  const Device dev = Device::cuda;
  Shape shape = x.shape();
  shape.back() = d.out;
  Tensor out = Tensor::uninitialized(shape, dev);
  Tensor ones = bias.defined() ? Tensor::full({d.rows}, 1.0f, dev) : Tensor();
  if (bias.defined())
    gemm(dev, false, false, d.rows, d.out, 1, 1.0f, ones.raw_data(), bias.raw_data(), 0.0f,
         out.raw_data());
  gemm(dev, false, true, d.rows, d.out, d.in, 1.0f, x.raw_data(), weight.raw_data(),
       bias.defined() ? 1.0f : 0.0f, out.raw_data());
  Tensor dx = x.detach(), dw = weight.detach();
  const bool need_gx = x.requires_grad();  // as the CPU: no input-gradient GEMM nobody reads
  Tensors inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record("linear", out, inputs, [=](const Tensor& g) {
    Tensor gx, gw = Tensor::uninitialized(dw.shape(), dev);
    if (need_gx) {
      gx = Tensor::uninitialized(dx.shape(), dev);
      gemm(dev, false, false, d.rows, d.in, d.out, 1.0f, g.raw_data(), dw.raw_data(), 0.0f,
           gx.raw_data());
    }
    gemm(dev, true, false, d.out, d.in, d.rows, 1.0f, g.raw_data(), dx.raw_data(), 0.0f,
         gw.raw_data());
    Tensors grads{gx, gw};
    if (ones.defined()) {
      Tensor gb = Tensor::uninitialized({d.out}, dev);
      gemm(dev, true, false, 1, d.out, d.rows, 1.0f, ones.raw_data(), g.raw_data(), 0.0f,
           gb.raw_data());
      grads.push_back(gb);
    }
    return grads;
  });
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || x.dim() < 1 || x.size(-1) != weight.size(1))
    throw std::invalid_argument("linear: input " + to_string(x.shape()) + " does not fit weight " +
                                to_string(weight.shape()));
  LinearDims d{x.numel() / x.size(-1), weight.size(1), weight.size(0)};
  if (bias.defined() && bias.numel() != d.out)
    throw std::invalid_argument("linear: bias " + to_string(bias.shape()) + " for " +
                                std::to_string(d.out) + " outputs");
  if (require_device("linear", x, weight, bias) == Device::cuda)
    return linear_cuda(x, weight, bias, d);
  Shape shape = x.shape();
  shape.back() = d.out;
  Tensor out = Tensor::uninitialized(shape);
  float beta = bias.defined() ? 1.0f : 0.0f;
  if (bias.defined())
    out.matrix(d.rows, d.out).rowwise() = ConstArrayMap(bias.data(), d.out).matrix().transpose();
  // The constant-current encoder's trains (periodic_spikes.hpp), then spike rows, then dense.
  const PeriodicSpikes* periodic = as_trains(x, d);
  std::shared_ptr<SpikeRows> spikes = periodic ? nullptr : as_spikes(x, d);
  if (periodic) {
    Tensor wt = Tensor::uninitialized({d.in, d.out});
    wt.matrix(d.in, d.out) = weight.matrix(d.out, d.in).transpose();
    periodic_matmul(*periodic, d.in, wt.data(), d.out, beta, out.data());
  } else if (spikes)
    spike_matmul(*spikes, 0, d.rows, d.in, pack_spike_weights(weight.data(), d.out, d.in).data(),
                 d.out, beta, out.data());
  else
    gemm(false, true, d.rows, d.out, d.in, 1.0f, x.data(), weight.data(), beta, out.data());
  // A sparse input is saved as its spike rows only: no dense copy stays alive for backward
  // (periodic trains: x's values are never written).
  Tensor dx = spikes ? Tensor() : x.detach(), dw = weight.detach();
  bool has_bias = bias.defined(), need_gx = x.requires_grad();
  Shape x_shape = x.shape();
  Tensors inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return record("linear", out, inputs, [=](const Tensor& g) {
    Tensor gx;
    if (need_gx) {
      gx = Tensor::uninitialized(x_shape);
      gemm(false, false, d.rows, d.in, d.out, 1.0f, g.data(), dw.data(), 0.0f, gx.data());
    }
    Tensors grads{gx, weight_grad(g, dx, spikes.get(), d)};
    if (has_bias) {
      Tensor gb = Tensor::uninitialized({d.out});
      gb.matrix(1, d.out) = g.matrix(d.rows, d.out).colwise().sum();
      grads.push_back(gb);
    }
    return grads;
  });
}

}  // namespace soma
