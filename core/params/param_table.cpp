#include "core/params/param_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace soma {
namespace {

// Names become CLI flags, URL query keys and JSON keys; this alphabet is safe in all three.
bool valid_name(const std::string& name) {
  auto ok = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  return !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
         std::all_of(name.begin(), name.end(), ok);
}

std::invalid_argument declaration_error(const std::string& name, const std::string& problem) {
  return std::invalid_argument("ParamTable: parameter '" + name + "': " + problem);
}

}  // namespace

ParamSpec& ParamBuilder::spec() {
  return table_->specs_[index_];
}

void ParamBuilder::check_range() {
  ParamSpec& s = spec();
  if (!s.is_number())
    throw declaration_error(s.name,
                            std::string("a range needs a number, not a ") + type_name(s.type));
  if (s.min && s.max && *s.min > *s.max) throw declaration_error(s.name, "range min > max");
  // The default goes through the same check as any later value.
  try {
    check_value(s, s.default_value);
  } catch (const ParamError&) {
    throw declaration_error(s.name,
                            "default " + to_string(s.default_value) + " is not " + s.expected());
  }
}

ParamBuilder& ParamBuilder::range(double lo, double hi) {
  spec().min = lo;
  spec().max = hi;
  check_range();
  return *this;
}

ParamBuilder& ParamBuilder::min(double lo) {
  spec().min = lo;
  check_range();
  return *this;
}

ParamBuilder& ParamBuilder::max(double hi) {
  spec().max = hi;
  check_range();
  return *this;
}

ParamBuilder& ParamBuilder::restart(bool on) {
  spec().restart = on;
  return *this;
}

ParamBuilder& ParamBuilder::alias(const std::string& name) {
  if (!valid_name(name) || table_->find(name) >= 0)
    throw declaration_error(spec().name, "alias '" + name + "' is not a free, valid name");
  spec().aliases.push_back(name);
  return *this;
}

ParamBuilder ParamTable::add(ParamSpec spec) {
  if (!valid_name(spec.name))
    throw declaration_error(spec.name,
                            "a name is letters, digits and '_', not starting with a digit");
  if (find(spec.name) >= 0) throw declaration_error(spec.name, "declared twice");
  specs_.push_back(std::move(spec));
  return ParamBuilder(*this, specs_.size() - 1);
}

ParamBuilder ParamTable::add_bool(const std::string& name, bool def, const std::string& help) {
  return add({name, ParamType::boolean, def, {}, {}, {}, help, false, {}});
}

ParamBuilder ParamTable::add_int(const std::string& name, int64_t def, const std::string& help) {
  return add({name, ParamType::integer, def, {}, {}, {}, help, false, {}});
}

ParamBuilder ParamTable::add_float(const std::string& name, double def, const std::string& help) {
  return add({name, ParamType::real, def, {}, {}, {}, help, false, {}});
}

ParamBuilder ParamTable::add_string(const std::string& name, const std::string& def,
                                    const std::string& help) {
  return add({name, ParamType::string, def, {}, {}, {}, help, false, {}});
}

ParamBuilder ParamTable::add_choice(const std::string& name, const std::string& def,
                                    std::vector<std::string> choices, const std::string& help) {
  if (std::find(choices.begin(), choices.end(), def) == choices.end())
    throw declaration_error(name, "default '" + def + "' is not among the choices");
  return add({name, ParamType::choice, def, {}, {}, std::move(choices), help, false, {}});
}

int ParamTable::find(std::string_view name) const {
  for (size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].name == name || std::find(specs_[i].aliases.begin(), specs_[i].aliases.end(),
                                            name) != specs_[i].aliases.end())
      return int(i);
  return -1;
}

const ParamSpec& ParamTable::at(std::string_view name) const {
  int i = find(name);
  if (i < 0) throw unknown(name);
  return specs_[size_t(i)];
}

ParamBuilder ParamTable::refine(std::string_view name) {
  int i = find(name);
  if (i < 0) throw unknown(name);
  return ParamBuilder(*this, size_t(i));
}

ParamError ParamTable::unknown(std::string_view name, const std::string& source) const {
  std::string msg = source.empty() ? "" : source + ": ";
  msg += "unknown parameter '" + std::string(name) + "' (known:";
  for (size_t i = 0; i < specs_.size(); ++i) msg += (i ? ", " : " ") + specs_[i].name;
  return ParamError(msg + ")");
}

}  // namespace soma
