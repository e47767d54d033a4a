#pragma once
// Command-line flags from a ParamTable: --<name> for every parameter, with its default and help in
// --help and its type, range and choices checked while parsing, plus --params FILE.json. Kept
// apart from the rest of core/params so that only command-line programs pull in CLI11.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "core/params/param_values.hpp"

namespace soma {

// After app.parse(), `values` holds what it held before, overridden by the --params file,
// overridden in turn by the flags given (flags win). Booleans are flags: --name, --name=false.
// Every error, one in the file included, is a CLI::ParseError, so `catch (const CLI::ParseError& e)
// { return app.exit(e); }` reports it. Uses app's final_callback; `values` must outlive parsing. A
// parameter named like an existing option (help, params) throws std::invalid_argument.
// `load_file` reads the --params file; by default Soma's JSON config (apply_params_json_file).
using ParamFileLoader = std::function<void(ParamValues&, const std::string& path)>;
void add_param_options(CLI::App& app, ParamValues& values, ParamFileLoader load_file = {});

}  // namespace soma
