#include "core/params/param_cli.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "core/params/param_json.hpp"

namespace soma {
namespace {

const char* cli_type_name(ParamType t) {
  switch (t) {
    case ParamType::integer:
      return "INT";
    case ParamType::real:
      return "FLOAT";
    case ParamType::string:
      return "TEXT";
    case ParamType::choice:
      return "CHOICE";
    default:
      return "";
  }
}

// Runs the same parse_value as every other way in, so the CLI accepts exactly what a JSON config
// or a URL query would. CLI11 prefixes the flag name, so our "parameter 'x': " prefix is dropped.
CLI::Validator validator_for(const ParamSpec& spec) {
  auto check = [spec](std::string& text) -> std::string {
    try {
      parse_value(spec, text);
      return {};
    } catch (const ParamError& e) {
      std::string msg = e.what(), prefix = "parameter '" + spec.name + "': ";
      return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
    }
  };
  return CLI::Validator(check, "");
}

// Help text with what CLI11 does not show itself: the range or choices, and a flag's default.
std::string help_for(const ParamSpec& spec) {
  std::string extra = spec.constraint();
  if (spec.type == ParamType::boolean) extra = "default: " + to_string(spec.default_value);
  return extra.empty() ? spec.help : spec.help + " (" + extra + ")";
}

std::vector<std::string> names_of(const ParamSpec& spec) {
  std::vector<std::string> names{spec.name};
  names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
  return names;
}

CLI::Option* add_one(CLI::App& app, const ParamSpec& spec) {
  std::string flag;
  for (const std::string& name : names_of(spec)) {
    if (app.get_option_no_throw("--" + name))
      throw std::invalid_argument("add_param_options: parameter '" + spec.name +
                                  "' clashes with the option --" + name);
    flag += (flag.empty() ? "--" : ",--") + name;
  }
  const std::string help = help_for(spec);
  CLI::Option* opt;
  if (spec.type == ParamType::boolean) {
    opt = app.add_flag(flag, help);
  } else {
    opt = app.add_option(flag, help);
    opt->type_name(cli_type_name(spec.type))->default_str(to_string(spec.default_value));
  }
  return opt->check(validator_for(spec))->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace

void add_param_options(CLI::App& app, ParamValues& values, ParamFileLoader load_file) {
  if (!load_file) load_file = apply_params_json_file;
  CLI::Option* file =
      app.add_option("--params", "JSON file of parameter values; flags override it");
  file->type_name("FILE.json");
  std::vector<std::pair<std::string, CLI::Option*>> options;
  for (const ParamSpec& spec : values.table()) options.emplace_back(spec.name, add_one(app, spec));

  app.final_callback([&values, file, load_file, options = std::move(options)] {
    try {
      ParamValues next = values;
      if (file->count() > 0) load_file(next, file->as<std::string>());
      for (const auto& [name, opt] : options)
        if (opt->count() > 0) next.set_from_string(name, opt->as<std::string>(), "--" + name);
      values = std::move(next);
    } catch (const ParamError& e) {
      throw CLI::ValidationError(e.what());
    }
  });
}

}  // namespace soma
