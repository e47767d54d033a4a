#include "core/ops/linalg.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/gemm.hpp"

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
void batched_gemm(int64_t batch, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
                  int64_t sa, const float* b, int64_t sb, float beta, float* c, int64_t sc) {
  for (int64_t i = 0; i < batch; ++i)
    gemm(ta, tb, m, n, k, 1.0f, a + i * sa, b + i * sb, beta, c + i * sc);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  MatmulDims d = matmul_dims(a, b);
  Shape shape = a.shape();
  shape.back() = d.m;
  Tensor out = Tensor::zeros(shape);
  if (d.shared_b)  // all leading dims fold into the rows of one GEMM
    gemm(false, false, d.batch * d.n, d.m, d.k, 1.0f, a.data(), b.data(), 0.0f, out.data());
  else
    batched_gemm(d.batch, false, false, d.n, d.m, d.k, a.data(), d.n * d.k, b.data(), d.k * d.m,
                 0.0f, out.data(), d.n * d.m);
  Tensor da = a.detach(), db = b.detach();
  return record("matmul", out, {a, b}, [da, db, d](const Tensor& g) {
    Tensor ga = Tensor::zeros(da.shape()), gb = Tensor::zeros(db.shape());
    if (d.shared_b) {
      int64_t rows = d.batch * d.n;
      gemm(false, true, rows, d.k, d.m, 1.0f, g.data(), db.data(), 0.0f, ga.data());
      gemm(true, false, d.k, d.m, rows, 1.0f, da.data(), g.data(), 0.0f, gb.data());
    } else {
      batched_gemm(d.batch, false, true, d.n, d.k, d.m, g.data(), d.n * d.m, db.data(), d.k * d.m,
                   0.0f, ga.data(), d.n * d.k);
      batched_gemm(d.batch, true, false, d.k, d.m, d.n, da.data(), d.n * d.k, g.data(), d.n * d.m,
                   0.0f, gb.data(), d.k * d.m);
    }
    return Tensors{ga, gb};
  });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || x.dim() < 1 || x.size(-1) != weight.size(1))
    throw std::invalid_argument("linear: input " + to_string(x.shape()) + " does not fit weight " +
                                to_string(weight.shape()));
  int64_t rows = x.numel() / x.size(-1), in = weight.size(1), outf = weight.size(0);
  Shape shape = x.shape();
  shape.back() = outf;
  Tensor out = Tensor::zeros(shape);
  if (bias.defined()) {
    if (bias.numel() != outf)
      throw std::invalid_argument("linear: bias " + to_string(bias.shape()) + " for " +
                                  std::to_string(outf) + " outputs");
    out.matrix(rows, outf).rowwise() = ConstArrayMap(bias.data(), outf).matrix().transpose();
  }
  gemm(false, true, rows, outf, in, 1.0f, x.data(), weight.data(), bias.defined() ? 1.0f : 0.0f,
       out.data());
  Tensor dx = x.detach(), dw = weight.detach();
  bool has_bias = bias.defined();
  Tensors inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  return record("linear", out, inputs, [dx, dw, rows, in, outf, has_bias](const Tensor& g) {
    Tensor gx = Tensor::zeros(dx.shape()), gw = Tensor::zeros(dw.shape());
    gemm(false, false, rows, in, outf, 1.0f, g.data(), dw.data(), 0.0f, gx.data());
    gemm(true, false, outf, in, rows, 1.0f, g.data(), dx.data(), 0.0f, gw.data());
    Tensors grads{gx, gw};
    if (has_bias) {
      Tensor gb = Tensor::zeros({outf});
      gb.matrix(1, outf) = g.matrix(rows, outf).colwise().sum();
      grads.push_back(gb);
    }
    return grads;
  });
}

}  // namespace soma
