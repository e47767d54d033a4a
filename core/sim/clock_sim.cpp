#include "core/sim/clock_sim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/autograd/grad_mode.hpp"

namespace soma::sim {
namespace {

int64_t to_steps(double ms, double h, const char* what) {
  const double n = ms / h;
  if (!(n >= 0) || std::abs(n - std::round(n)) > 1e-6)
    throw std::invalid_argument(std::string("clock sim: ") + what + " (" + std::to_string(ms) +
                                " ms) must be a non-negative multiple of the resolution");
  return std::llround(n);
}

IafPscDeltaParams output_params(IafPscDeltaParams p) {
  p.V_th = std::numeric_limits<double>::infinity();
  p.t_ref = 0;
  return p;
}

PpPscDeltaParams checked_pp(const ClockSimOptions& o) {
  PpPscDeltaParams p = o.pp;
  if (p.dead_time <= 0) p.dead_time = 1e-8;  // only used in pp mode; keep the constructor happy
  return p;
}

}  // namespace

SimMode parse_sim_mode(const std::string& s) {
  if (s == "nest") return SimMode::nest;
  if (s == "sqn_exact") return SimMode::sqn_exact;
  throw std::invalid_argument("unknown simulator mode '" + s + "' (known: nest, sqn_exact)");
}

Readout parse_readout(const std::string& s) {
  if (s == "multimeter") return Readout::multimeter;
  if (s == "at_end") return Readout::at_end;
  throw std::invalid_argument("unknown read-out '" + s + "' (known: multimeter, at_end)");
}

HiddenModel parse_hidden_model(const std::string& s) {
  if (s == "iaf") return HiddenModel::iaf;
  if (s == "pp") return HiddenModel::pp;
  throw std::invalid_argument("unknown neuron model '" + s + "' (known: iaf, pp)");
}

ClockSim::ClockSim(DenseNet net, const ClockSimOptions& opt)
    : net_(std::move(net)),
      opt_(opt),
      iaf_(opt.iaf, opt.resolution_ms),
      output_(output_params(opt.iaf), opt.resolution_ms),
      pp_(checked_pp(opt), opt.resolution_ms),
      rng_(opt.seed) {
  if (net_.empty()) throw std::invalid_argument("clock sim: empty network");
  for (size_t l = 1; l < net_.size(); ++l)
    if (net_[l].in != net_[l - 1].out)
      throw std::invalid_argument("clock sim: layer " + std::to_string(l) + " expects " +
                                  std::to_string(net_[l].in) + " inputs, gets " +
                                  std::to_string(net_[l - 1].out));
  const double h = opt.mode == SimMode::nest ? opt.resolution_ms : 1.0;
  steps_ = to_steps(opt.duration_ms, h, "duration");
  if (steps_ < 1) throw std::invalid_argument("clock sim: duration must be at least one step");
  if (opt.mode == SimMode::nest) {
    input_delay_ = to_steps(opt.input_delay_ms, h, "input delay");
    layer_delay_ = to_steps(opt.layer_delay_ms, h, "layer delay");
    if (layer_delay_ < 1) throw std::invalid_argument("clock sim: layer delay below one step");
    sample_every_ = std::max<int64_t>(1, to_steps(1.0, h, "1 ms sampling"));
    if (opt.readout == Readout::multimeter) {
      // NEST's min_delay spans every connection: the dc inputs' and the layers' delays.
      const int64_t min_delay =
          input_delay_ > 0 ? std::min(input_delay_, layer_delay_) : layer_delay_;
      const int64_t last_slice = (steps_ - 1) / min_delay * min_delay;  // its first step
      readout_sample_ = last_slice / sample_every_ - 1;  // samples_[m] is at (m + 1) ms
      if (readout_sample_ < 0)
        throw std::invalid_argument(
            "clock sim: the multimeter read-out needs a duration beyond the min delay plus one "
            "1 ms sample (NEST would deliver no sample); use the at_end read-out");
    }
  }
}

std::vector<double> ClockSim::forward(const std::vector<double>& x) {
  if (int64_t(x.size()) != net_.front().in)
    throw std::invalid_argument("clock sim: " + std::to_string(x.size()) +
                                " inputs, the network takes " + std::to_string(net_.front().in));
  return opt_.mode == SimMode::nest ? forward_nest(x) : forward_sqn(x);
}

std::vector<double> ClockSim::forward_nest(const std::vector<double>& x) {
  const size_t L = net_.size();
  const int64_t N = steps_, D = layer_delay_;
  // The dc current each first-layer neuron receives once the input delay has passed.
  const DenseLayer& first = net_.front();
  std::vector<double> dc(size_t(first.out), 0.0);
  for (int64_t i = 0; i < first.in; ++i)
    for (int64_t j = 0; j < first.out; ++j) dc[size_t(j)] += x[size_t(i)] * first.weight(i, j);
  // Spike input due to layer l (l >= 1) at step k: pending[l][k % (D + 1)][j].
  std::vector<std::vector<std::vector<double>>> pending(L);
  std::vector<std::vector<NeuronState>> state(L);
  counts_.assign(L - 1, {});
  for (size_t l = 0; l < L; ++l) {
    state[l].assign(size_t(net_[l].out), NeuronState{});
    for (NeuronState& s : state[l])
      l + 1 < L&& opt_.model == HiddenModel::pp ? pp_.reset(s) : iaf_.reset(s);
    pending[l].assign(size_t(D + 1), std::vector<double>(size_t(net_[l].out), 0.0));
    if (l + 1 < L) counts_[l].assign(size_t(net_[l].out), 0);
  }
  samples_.clear();
  std::vector<int> fired;
  for (int64_t k = 0; k < N; ++k) {
    const size_t slot = size_t(k % (D + 1)), later = size_t((k + D) % (D + 1));
    for (size_t l = 0; l < L; ++l) {
      const DenseLayer& layer = net_[l];
      const bool hidden = l + 1 < L;
      std::vector<double>& due = pending[l][slot];
      fired.clear();
      for (int64_t j = 0; j < layer.out; ++j) {
        NeuronState& s = state[l][size_t(j)];
        const double in = due[size_t(j)], ie = layer.bias_of(j);
        int n = !hidden                         ? output_.step(s, in, ie)
                : opt_.model == HiddenModel::pp ? pp_.step(s, in, ie, rng_)
                                                : iaf_.step(s, in, ie);
        if (l == 0) s.y0 = k >= input_delay_ ? dc[size_t(j)] : 0.0;
        if (n > 0) {
          counts_[l][size_t(j)] += n;
          fired.push_back(int(j));
        }
      }
      std::fill(due.begin(), due.end(), 0.0);
      if (hidden && !fired.empty()) {
        const DenseLayer& next = net_[l + 1];
        std::vector<double>& target = pending[l + 1][later];
        for (int j : fired)
          for (int64_t m = 0; m < next.out; ++m) target[size_t(m)] += next.weight(j, m);
      }
    }
    if ((k + 1) % sample_every_ == 0) {
      std::vector<double> v;
      for (const NeuronState& s : state[L - 1]) v.push_back(s.v);
      samples_.push_back(std::move(v));
    }
  }
  if (readout_sample_ >= 0) return samples_[size_t(readout_sample_)];
  std::vector<double> out;
  for (const NeuronState& s : state[L - 1]) out.push_back(s.v);
  return out;
}

std::vector<double> ClockSim::forward_sqn(const std::vector<double>& x) {
  NoGrad no_grad;
  Tensors w, b;
  for (const DenseLayer& l : net_) {
    w.push_back(Tensor::from({l.in, l.out}, std::vector<float>(l.w.begin(), l.w.end())));
    b.push_back(l.bias.empty()
                    ? Tensor()
                    : Tensor::from({l.out}, std::vector<float>(l.bias.begin(), l.bias.end())));
  }
  SqnOptions o;
  o.steps = steps_;
  o.reset = opt_.sqn_reset;
  Tensors spikes;
  Tensor in = Tensor::from({1, int64_t(x.size())}, std::vector<float>(x.begin(), x.end()));
  Tensor out = sqn_forward(in, w, b, o, &spikes);
  counts_.assign(spikes.size(), {});
  for (size_t l = 0; l < spikes.size(); ++l) {
    const int64_t n = spikes[l].size(2);
    counts_[l].assign(size_t(n), 0);
    for (int64_t i = 0; i < spikes[l].numel(); ++i)
      counts_[l][size_t(i % n)] += spikes[l].data()[i] > 0;
  }
  samples_.clear();
  return {out.data(), out.data() + out.numel()};
}

}  // namespace soma::sim
