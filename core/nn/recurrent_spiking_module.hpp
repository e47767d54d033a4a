#pragma once
// Base of the recurrent neuron layers (LIFRecurrent, LSNNRecurrent, CobaLIFRecurrent; see
// neuron_layer.hpp): input_weights (H x I) and recurrent_weights (H x H) as parameters, drawn
// as randn * input_std and randn * recurrent_std. Norse's default is sqrt(2 / H) for both.
//
// Without autapses (the default, as Norse) the recurrent diagonal starts at zero and the layers
// use recurrent_weights * mask, mask = 1 - I: the diagonal never acts, and its gradient is masked
// to exactly zero, so optimizer steps (SGD, momentum, Adam, weight decay) keep it at zero.
#include "core/nn/spiking_module.hpp"

namespace soma {
class Rng;
}

namespace soma::nn {

struct RecurrentInit {
  float input_std, recurrent_std;
};

// Norse's draw for the LIF and LSNN cells: both sqrt(2 / H).
RecurrentInit norse_recurrent_init(int64_t hidden_size);

class RecurrentSpikingModule : public SpikingModule {
 public:
  Tensor input_weights;      // (H, I)
  Tensor recurrent_weights;  // (H, H)

  int64_t input_size() const { return input_weights.size(1); }
  int64_t hidden_size() const { return input_weights.size(0); }
  bool autapses() const { return !mask_.defined(); }

 protected:
  RecurrentSpikingModule(int64_t input_size, int64_t hidden_size, Rng& rng, bool autapses,
                         RecurrentInit init);
  // Throws unless x is (T, B, I).
  void check_input(const Tensor& x) const;
  // The recurrent matrix the scan uses: masked unless autapses are allowed.
  Tensor recurrent() const;

 private:
  // 1 - I, undefined with autapses. Not a buffer (checkpoints never held it): recurrent() moves
  // it to the weights' device when Module::to_device has moved them.
  mutable Tensor mask_;
};

}  // namespace soma::nn
