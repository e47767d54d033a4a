#pragma once
// A declarative table of task parameters: the one source of truth for CLI flags, --help text,
// GUI widgets, URL query parameters and JSON configs.
//
//   ParamTable t;
//   t.add_float("learning_rate", 2e-3, "Adam step size").range(1e-6, 1);
//   t.add_int("batch_size", 32, "samples per step").min(1).restart();
//   t.add_choice("neuron", "lif", {"lif", "alif"}, "neuron model").restart();
#include <string>
#include <string_view>
#include <vector>

#include "core/params/param_spec.hpp"

namespace soma {

class ParamTable;

// Returned by ParamTable::add_*: refines the spec just added. Declaration mistakes (a range on a
// string, a default outside its range) throw std::invalid_argument at once.
class ParamBuilder {
 public:
  ParamBuilder& range(double lo, double hi);
  ParamBuilder& min(double lo);
  ParamBuilder& max(double hi);
  ParamBuilder& restart(bool on = true);
  // Another accepted name, e.g. Lightning's max_epochs for epochs.
  ParamBuilder& alias(const std::string& name);

 private:
  friend class ParamTable;
  ParamBuilder(ParamTable& table, size_t index) : table_(&table), index_(index) {}
  ParamSpec& spec();
  void check_range();
  ParamTable* table_;
  size_t index_;  // an index, not a reference: later adds may reallocate the specs
};

class ParamTable {
 public:
  ParamBuilder add_bool(const std::string& name, bool def, const std::string& help);
  ParamBuilder add_int(const std::string& name, int64_t def, const std::string& help);
  ParamBuilder add_float(const std::string& name, double def, const std::string& help);
  ParamBuilder add_string(const std::string& name, const std::string& def, const std::string& help);
  ParamBuilder add_choice(const std::string& name, const std::string& def,
                          std::vector<std::string> choices, const std::string& help);

  const std::vector<ParamSpec>& specs() const { return specs_; }
  size_t size() const { return specs_.size(); }
  auto begin() const { return specs_.begin(); }
  auto end() const { return specs_.end(); }
  // Index of the spec with this name or alias, or -1.
  int find(std::string_view name) const;
  // The spec with this name; throws ParamError naming it if there is none.
  const ParamSpec& at(std::string_view name) const;
  // Refines a spec already added, as add_* does (a platform narrowing a range: the browser
  // playground caps sizes at what one tab can afford). Throws ParamError for an unknown name.
  ParamBuilder refine(std::string_view name);
  // "<source>: unknown parameter 'x' (known: a, b)", for every place that looks a name up.
  ParamError unknown(std::string_view name, const std::string& source = "") const;

 private:
  friend class ParamBuilder;
  ParamBuilder add(ParamSpec spec);
  std::vector<ParamSpec> specs_;
};

}  // namespace soma
