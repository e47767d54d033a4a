#include "tasks/dsqn/dsqn_task.hpp"

#include "tasks/dsqn/dsqn_stages.hpp"
#include "tasks/framework/common_params.hpp"

namespace soma {

DsqnTask::DsqnTask() {
  auto& t = table_;
  t.add_choice("stage", "play",
               {"dqn", "dsqn", "replay", "classifier", "convert", "evaluate", "export", "play"},
               "what to run (dsqn_task.hpp): train, collect, convert, evaluate, export or play")
      .restart();
  t.add_string(
       "net", "",
       "the network file a stage reads (convert: several, comma-separated, to keep the best; "
       "play: the shipped DSQN if empty)")
      .restart();
  t.add_string("reference", "", "evaluate: the network whose argmax the tested one should match")
      .restart();
  t.add_string("replay", "", "classifier, convert: the replay set (replay.safetensors)").restart();
  t.add_choice("model", "ann", {"ann", "sqn"}, "classifier: ANN [4,16,16,2] or SQN [5,17,17,2]")
      .restart();
  // Training (dqn, dsqn), the seed's values.
  t.add_int("episodes", 1000, "dqn, dsqn: episodes to train at most").min(1).restart();
  t.add_int("max_episode_steps", 200, "dqn, dsqn: time limit (CartPole-v0: 200)").min(2).restart();
  t.add_float("learning_rate", 1e-3, "dqn, dsqn: Adam step size").range(1e-7, 1).restart();
  t.add_float("gamma", 0.999, "dqn, dsqn: discount factor").range(0, 1).restart();
  t.add_int("batch_size", 128, "dqn, dsqn: transitions per gradient step").min(1).restart();
  t.add_int("replay_size", 40000, "dqn, dsqn: replay memory capacity").min(1).restart();
  t.add_int("target_every", 10, "dqn, dsqn: copy the target net every n episodes").min(1).restart();
  t.add_int("seq_length", 20, "SQN time steps T (dsqn, classifier --model sqn)").min(1).restart();
  t.add_choice("reset", "subtract", {"subtract", "zero"},
               "SQN reset: subtract 1 or to zero (training; converted nets run as SQN)")
      .restart();
  // Replay set and classifier.
  t.add_int("replay_set_size", 20000, "replay: states to collect").min(1).restart();
  t.add_int("iterations", 200000, "classifier: gradient steps").min(1).restart();
  t.add_float("classifier_learning_rate", 1e-4, "classifier: Adam step size")
      .range(1e-7, 1)
      .restart();
  t.add_int("classifier_batch", 50, "classifier: samples per step").min(1).restart();
  t.add_float("percentile", 0.99, "convert: robust normalisation percentile (1: max)")
      .range(0.01, 1)
      .restart();
  // Evaluation.
  t.add_int("check_states", 2000,
            "convert: replay states on which the converted net (run as the simulator flags say) "
            "must agree with its ANN; with several --net files the best is kept (0: no check)")
      .range(0, 1000000)
      .restart();
  t.add_int("eval_episodes", 100, "evaluate, play: episodes to run").min(1).restart();
  t.add_int("eval_max_steps", 500, "evaluate, play: time limit of an episode").min(1).restart();
  t.add_choice("runner", "auto", {"auto", "ann", "sqn", "sim"},
               "evaluate: how the tested net runs (auto: ann/sqn files natively, converted: sim)")
      .restart();
  t.add_int("sqn_steps", 0, "evaluate --runner sqn: T (0: the file's, converted nets 100)")
      .min(0)
      .restart();
  t.add_choice("sim_mode", "nest", {"nest", "sqn_exact"},
               "simulator: NEST-like (h, delays, iaf/pp) or the SQN's exact update")
      .restart();
  t.add_choice("neuron", "iaf", {"iaf", "pp"},
               "simulator: iaf_psc_delta or pp_psc_delta hidden layers")
      .restart();
  t.add_float("duration_ms", 100, "simulator: ms per forward (T)").range(0.1, 1e5).restart();
  t.add_float("resolution_ms", 0.1, "simulator: time step h (NEST's default 0.1)")
      .range(1e-3, 10)
      .restart();
  t.add_float("input_delay_ms", 1, "simulator: dc input delay").range(0, 100).restart();
  t.add_float("layer_delay_ms", 1, "simulator: inter-layer synaptic delay")
      .range(1e-3, 100)
      .restart();
  t.add_choice("readout", "multimeter", {"multimeter", "at_end"},
               "simulator: output V_m as the seed's multimeter delivers it (T - 1 ms) or at T")
      .restart();
  t.add_choice("iaf_reset", "zero", {"zero", "subtract"},
               "simulator iaf: reset to V_reset (NEST) or subtract the threshold (fixed)")
      .restart();
  t.add_bool("iaf_strict", false, "simulator iaf: spike on V > V_th (SQN, Brian) instead of >=")
      .restart();
  t.add_bool("pp_threshold_offset", true,
             "simulator pp: E_sfa starts at 0 as the seed (true) or at 1 (fixed)")
      .restart();
  t.add_string("export_pynn", "", "export: write the PyNN script here").restart();
  t.add_string("pynn_input", "0.01,0.02,-0.03,0.04", "export: the observation, comma-separated")
      .restart();
  t.add_int("chunk", 1, "play: environment steps per step").min(1);
  add_seed_param(t, 1);
}

DsqnTask::~DsqnTask() = default;

void DsqnTask::setup(const ParamValues& v, const RunContext& ctx) {
  keep_values(v);
  telemetry_.clear();
  stage_ = make_dsqn_stage(v, ctx);
  stage_->describe(telemetry_);
}

void DsqnTask::step() {
  if (stage_ && !stage_->done()) stage_->step(telemetry_);
}

bool DsqnTask::done() const {
  return !stage_ || stage_->done();
}

void DsqnTask::update_params(const ParamValues& v) {
  Task::update_params(v);
  if (stage_) stage_->update(v);
}

std::string DsqnTask::finish() {
  return stage_ ? stage_->finish(telemetry_) : std::string();
}

}  // namespace soma
