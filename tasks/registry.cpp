#include "tasks/registry.hpp"

#include <stdexcept>

#include "tasks/cartpole/cartpole_task.hpp"
#include "tasks/cet/cet_demo.hpp"
#include "tasks/cet/cet_sweep.hpp"
#include "tasks/cet/cet_task.hpp"
#include "tasks/cifar10/cifar10_task.hpp"
#include "tasks/correlation/correlation_task.hpp"
#include "tasks/dsqn/dsqn_task.hpp"
#include "tasks/memory/memory_task.hpp"
#include "tasks/microcircuit/microcircuit_task.hpp"
#include "tasks/mnist/digits_task.hpp"
#include "tasks/mnist/mnist_task.hpp"
#include "tasks/neurons/izhikevich_task.hpp"
#include "tasks/neurons/neurons_task.hpp"
#ifndef __EMSCRIPTEN__
#include "tasks/speech_commands/speech_task.hpp"
#endif

namespace soma {

const std::vector<TaskEntry>& task_registry() {
  static const std::vector<TaskEntry> entries = [] {
    std::vector<TaskEntry> e;
    auto add = [&](auto make) {
      TaskPtr t = make();
      e.push_back({t->name(), t->description(), make, t->web_query()});
    };
    add([] { return std::make_unique<MnistTask>(); });
    add([] { return std::make_unique<Cifar10Task>(); });
    add([] { return std::make_unique<MemoryTask>(); });
    add([] { return std::make_unique<CartpoleTask>(); });
    add([] { return std::make_unique<CorrelationTask>(); });
    add([] { return std::make_unique<MicrocircuitTask>(); });
    add([] { return std::make_unique<DigitsTask>(); });
#ifndef __EMSCRIPTEN__  // they read MNIST / CIFAR files; kept out of the wasm for its size
    add([] { return std::make_unique<CetTask>(); });
    add([] { return std::make_unique<CetSweepTask>(); });
#endif
    add([] { return std::make_unique<CetDemoTask>(); });
    add([] { return std::make_unique<DsqnTask>(); });
    add([] { return std::make_unique<NeuronsTask>(); });
    add([] { return std::make_unique<IzhikevichTask>(); });
#ifndef __EMSCRIPTEN__  // espeak-ng, sox and kissfft: native only
    add([] { return std::make_unique<SpeechCommandsTask>(); });
#endif
    return e;
  }();
  return entries;
}

TaskPtr make_task(const std::string& name) {
  std::string known;
  for (const TaskEntry& e : task_registry()) {
    if (e.name == name) return e.make();
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw std::invalid_argument("unknown task '" + name + "' (known: " + known + ")");
}

}  // namespace soma
