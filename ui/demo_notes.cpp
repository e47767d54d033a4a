#include "ui/demo_notes.hpp"

#include <map>

namespace soma::ui {

const DemoNote* demo_note(const std::string& task) {
  static const std::map<std::string, DemoNote> notes = {
      {"memory",
       {"A recurrent network of adaptive spiking neurons (LSNN) hears a 'store' command with a "
        "bit, waits, and must repeat the bit on 'recall'. The adaptive thresholds are its "
        "memory: watch the validation loss fall and the raster's recall phases change.",
        "Try model = lif: without adaptation the network forgets, and the loss stays high.",
        {"model", "learning_rate", "samples", "periods"}}},
      {"correlation",
       {"Spiking neurons carry correlation sensors; a plasticity rule learned by gradient "
        "descent turns their traces into weight changes. Watch the loss fall as the rule "
        "learns to follow the input's correlations.",
        "Try a larger plasticity_rate: the weights move faster and the loss gets noisier.",
        {"learning_rate", "plasticity_rate", "input_features", "hidden_features"}}},
      {"cartpole",
       {"A spiking policy balances a pole on a cart, trained by REINFORCE from whole episodes. "
        "The reward is the number of steps the pole stayed up (at most 200 here); the task is "
        "solved when the running reward passes 195.",
        "Try policy = ann to compare with a plain network, or halve the learning rate.",
        {"policy", "learning_rate", "gamma", "seed"}}},
      {"microcircuit",
       {"Cortical microcircuits learn their feedback weights B with phaseless alignment "
        "learning (bw_only, a 5-20-10-20-5 network, three seeds). The angle between B and the "
        "forward weights W^T starts near 90 deg (unrelated) and falls as B aligns: one line "
        "per seed.",
        "Try chunk_ms = 10 to simulate faster: the angles keep falling as B aligns with W^T.",
        {"chunk_ms"}}},
      {"digits",
       {"Draw a digit: a recurrent spiking network trained on MNIST turns it into input "
        "currents, spikes for 20 time steps, and its read-out voltages vote. The panel shows "
        "what the network sees, its hidden spikes and the class probabilities.",
        "Try a thin, off-centre digit: it is cropped and centred as MNIST digits were.",
        {"seq_length", "input_scale"}}},
      {"cet-demo",
       {"Credit arrives late: a small network must learn from a reward delayed by several "
        "frames. A plain eligibility trace (ET), a cascading one (CET) and an oracle learn "
        "side by side; watch which accuracy rises, and how close each one's gradient is to the "
        "exact one.",
        "Try a longer delay_factor: the plain trace falls behind the cascade.",
        {"delay_factor", "learning_rate", "noise", "seed"}}},
      {"neurons",
       {"Forty neurons of one model, each fed a constant input rising from zero: the f-I curve "
        "(firing rate against input), three voltage traces and the raster. Every model of the "
        "library is here, from LIF to AdEx and Izhikevich's twenty behaviours.",
        "Try model = lsnn: its threshold rises with every spike, and the rates fall as it adapts.",
        {"model", "preset", "current_scale", "noise"}}},
      {"izhikevich",
       {"One neuron, two equations, twenty behaviours: Izhikevich's model (2004) with the "
        "parameters and the input of each panel of his figure 1. Watch v (mV) answer the "
        "input current below it, and the rate at each spike.",
        "Try preset = bistability: one pulse switches firing on, the next switches it off.",
        {"preset", "chunk_ms"}}},
      {"dsqn",
       {"A deep spiking Q-network, trained and converted natively, drives the cart live. Each "
        "step it spikes through its hidden layers and the larger of its two Q-values picks "
        "the push.",
        "Try chunk = 10: ten environment steps per frame, and watch the episodes fly by.",
        {"chunk", "eval_max_steps", "seed"}}},
  };
  auto it = notes.find(task);
  return it == notes.end() ? nullptr : &it->second;
}

}  // namespace soma::ui
