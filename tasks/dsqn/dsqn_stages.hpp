#pragma once
// The stages behind `soma dsqn --stage ...` (see dsqn_task.hpp), each a small state machine the
// task drives: step() one unit of work, done(), finish() the summary line (results into the run
// folder when there is one).
#include <memory>
#include <string>

#include "core/params/param_values.hpp"
#include "tasks/dsqn/evaluate.hpp"
#include "tasks/framework/task.hpp"

namespace soma {

class DsqnStage {
 public:
  virtual ~DsqnStage() = default;
  // Axis labels of the series this stage publishes (called once, before the first step).
  virtual void describe(Telemetry&) const {}
  virtual void step(Telemetry& t) = 0;
  virtual bool done() const = 0;
  virtual std::string finish(Telemetry&) { return {}; }
  virtual void update(const ParamValues&) {}
};

std::unique_ptr<DsqnStage> make_dsqn_stage(const ParamValues& v, const RunContext& ctx);

// The simulator and runner settings of the evaluate / play stages, from the task's parameters.
dsqn::RunnerOptions runner_options_of(const ParamValues& v);

}  // namespace soma
