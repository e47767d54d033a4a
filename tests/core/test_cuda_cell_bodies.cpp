// The fused IAF and feed-forward LSNN scans' kernel bodies (core/backend/cuda/cell_scan_body.hpp
// over iaf_body.hpp and lsnn_cell_body.hpp) run here on the host, a loop over neurons standing
// in for the grid, against the CPU's cell_scan (iaf_sequence, lsnn_sequence): spikes, states and
// recorded states bit for bit (one step definition on both sides), gradients to 1e-5 of their
// scale. Odd sizes (T = 43: five chunks of kScanChunk and three steps), both resets, runs with no
// spike and with a spike every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/backend/cuda/cell_scan_body.hpp"
#include "core/backend/cuda/iaf_body.hpp"
#include "core/backend/cuda/lsnn_cell_body.hpp"
#include "core/neuron/iaf.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/neuron/lsnn_cell.hpp"
#include "core/neuron/surrogate.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;
using Floats = std::vector<float>;

constexpr int64_t T = 43, B = 3, H = 37, W = B * H;

// What the body gives for one run: spikes, final state, traces, then the gradients.
struct HostRun {
  Floats z;
  std::vector<Floats> state, saved, trace, gstate;
  Floats gx;
};

// The forward and backward kernels as cell_scan.cu launches them, one "thread" per neuron.
// s0: initial states; gz, gfinal, gtrace: the loss's gradients (gtrace empty: none recorded).
template <class Cell>
HostRun run_host(const Cell& c, const Floats& x, const std::vector<Floats>& s0, const Floats& gz,
                 const std::vector<Floats>& gfinal, const std::vector<Floats>& gtrace) {
  constexpr int S = Cell::kState, V = Cell::kSaved;
  const bool record = !gtrace.empty();
  HostRun r{Floats(size_t(T * W)),
            s0,
            std::vector<Floats>(V, Floats(size_t(T * W))),
            std::vector<Floats>(record ? S : 0, Floats(size_t(T * W))),
            gfinal,
            Floats()};
  cuda::CellScanArrays a{T, W, x.data(), {}, r.z.data(), {}, {}};
  for (int j = 0; j < S; ++j) a.state[j] = r.state[size_t(j)].data();
  for (int j = 0; j < V; ++j) a.saved[j] = r.saved[size_t(j)].data();
  for (int j = 0; record && j < S; ++j) a.trace[j] = r.trace[size_t(j)].data();
  for (int64_t k = W - 1; k >= 0; --k) cuda::cell_forward_neuron(c, a, k);

  r.gx = gz;  // dL/dx overwrites dL/dz, as the GPU does when it may
  cuda::CellScanGrads g{T, W, {}, r.gx.data(), {}, r.gx.data(), {}};
  for (int j = 0; j < V; ++j) g.saved[j] = r.saved[size_t(j)].data();
  for (int j = 0; j < S; ++j) g.gstate[j] = r.gstate[size_t(j)].data();
  for (int j = 0; record && j < S; ++j) g.gtrace[j] = gtrace[size_t(j)].data();
  for (int64_t k = W - 1; k >= 0; --k) cuda::cell_backward_neuron(c, g, k);
  return r;
}

Floats values(const Tensor& t) {
  return t.detach().to_vector();
}

// The share of spikes in z.
double density(const Floats& z) {
  return double(std::count(z.begin(), z.end(), 1.0f)) / double(z.size());
}

enum class Drive { some, none, every };

}  // namespace

TEST_CASE("cuda cell bodies: surrogate_grad equals Surrogate::grad bit for bit on the host") {
  // The CPU scans' cells call surrogate_grad in place of Surrogate::grad: the same results.
  for (int m = 0; m < 7; ++m)
    for (float alpha : {0.5f, 1.0f, 2.0f, 7.0f, 100.0f})
      for (float x = -3.0f; x <= 3.0f; x += 0.0078125f) {
        const float cpu = Surrogate{SurrogateMethod(m), alpha}.grad(x);
        const float dev = cuda::surrogate_grad(m, alpha, x);
        CAPTURE(m);
        CAPTURE(alpha);
        CAPTURE(x);
        CHECK(std::memcmp(&cpu, &dev, sizeof cpu) == 0);
      }
}

TEST_CASE("cuda cell bodies: the IAF scan per neuron equals iaf_sequence") {
  for (Drive drive : {Drive::some, Drive::none, Drive::every})
    for (Reset reset : {Reset::value, Reset::subtract})
      for (bool record : {true, false}) {
        CAPTURE(int(drive));
        CAPTURE(int(reset));
        CAPTURE(record);
        IAFParameters p;
        p.reset = reset;
        p.surrogate = {SurrogateMethod::super, 7.0f};
        const float lo = drive == Drive::some ? -0.3f : drive == Drive::none ? -1.0f : 2.0f;
        Tensor x = random_tensor({T, B, H}, 41, lo, lo + 0.9f).requires_grad_();
        Tensor v0 = random_tensor({B, H}, 42, 0.0f, 0.5f).requires_grad_();
        IAFSequence cpu = iaf_sequence(x, v0, p, record);
        Tensor gz = random_tensor({T, B, H}, 43), gv = random_tensor({B, H}, 44);
        Tensor gtr = random_tensor({T, B, H}, 45);
        Tensor loss = sum(cpu.z * gz) + sum(cpu.v * gv);
        if (record) loss = loss + sum(cpu.trace * gtr);
        loss.backward();

        const cuda::IafCell c{p.v_th, p.v_reset, reset == Reset::value, 0, 7.0f};
        HostRun h = run_host(c, values(x), {values(v0)}, values(gz), {values(gv)},
                             record ? std::vector<Floats>{values(gtr)} : std::vector<Floats>{});
        CHECK(values(cpu.z) == h.z);
        const double d = density(h.z);
        CHECK((drive == Drive::none ? d == 0.0 : drive == Drive::every ? d == 1.0 : d > 0.05));
        CHECK(values(cpu.v) == h.state[0]);
        if (record) CHECK(values(cpu.trace) == h.trace[0]);
        check_close_to_scale(values(x.grad()), h.gx, 1e-5f);
        check_close_to_scale(values(v0.grad()), h.gstate[0], 1e-5f);
      }
}

TEST_CASE("cuda cell bodies: the LSNN scan per neuron equals lsnn_sequence") {
  for (Drive drive : {Drive::some, Drive::none, Drive::every})
    for (Reset reset : {Reset::value, Reset::subtract})
      for (bool record : {true, false}) {
        CAPTURE(int(drive));
        CAPTURE(int(reset));
        CAPTURE(record);
        LSNNParameters p;
        p.reset = reset;
        p.tau_adapt_inv = 20.0f;  // a threshold that moves within the 43 steps
        p.surrogate = {SurrogateMethod::triangle, 0.5f};
        if (drive == Drive::every) p.beta = 0.0f;  // no jump: a strong input spikes every step
        const float lo = drive == Drive::some ? 0.0f : drive == Drive::none ? -12.0f : 100.0f;
        Tensor x = random_tensor({T, B, H}, 51, lo, lo + 8.0f).requires_grad_();
        LSNNState s0{Tensor::zeros({B, H}), random_tensor({B, H}, 52, 0.0f, 0.5f).requires_grad_(),
                     random_tensor({B, H}, 53, 0.0f, 1.0f).requires_grad_(),
                     random_tensor({B, H}, 54, 1.0f, 2.0f).requires_grad_()};
        LSNNSequence cpu = lsnn_sequence(x, s0, p, record);
        Tensor gz = random_tensor({T, B, H}, 55);
        std::vector<Floats> gfinal, gtrace;
        Tensor loss = sum(cpu.z * gz);
        const Tensor finals[3] = {cpu.state.v, cpu.state.i, cpu.state.b};
        const Tensor traces[3] = {cpu.v, cpu.i, cpu.b};
        for (int j = 0; j < 3; ++j) {
          Tensor g = random_tensor({B, H}, 56 + uint64_t(j));
          loss = loss + sum(finals[j] * g);
          gfinal.push_back(values(g));
          if (!record) continue;
          Tensor gt = random_tensor({T, B, H}, 60 + uint64_t(j));
          loss = loss + sum(traces[j] * gt);
          gtrace.push_back(values(gt));
        }
        loss.backward();

        const cuda::LsnnCell c = detail::lsnn_cell(p, false);
        HostRun h = run_host(c, values(x), {values(s0.v), values(s0.i), values(s0.b)}, values(gz),
                             gfinal, gtrace);
        CHECK(values(cpu.z) == h.z);
        const double d = density(h.z);
        CHECK((drive == Drive::none ? d == 0.0 : drive == Drive::every ? d == 1.0 : d > 0.05));
        for (int j = 0; j < 3; ++j) {
          CAPTURE(j);
          CHECK(values(finals[j]) == h.state[size_t(j)]);
          if (record) CHECK(values(traces[j]) == h.trace[size_t(j)]);
        }
        check_close_to_scale(values(x.grad()), h.gx, 1e-5f);
        check_close_to_scale(values(s0.v.grad()), h.gstate[0], 1e-5f);
        check_close_to_scale(values(s0.i.grad()), h.gstate[1], 1e-5f);
        check_close_to_scale(values(s0.b.grad()), h.gstate[2], 1e-5f);
      }
}
