#pragma once
// The `soma` command line, shared by the native binary and the tests:
//   soma list                      the tasks, one line each
//   soma <task> --help             every flag with its default, range and meaning
//   soma <task> [flags]            run it into a run folder (--out, default runs/<task>-<time>)
//   soma <task> --resume DIR       continue a run from DIR's config.json and checkpoint
// Flags come from the task's parameter table; --params FILE.json sets many at once (flags win).
// Exit codes: 0 done, 1 the run failed (a bad data file, NaN in training), 2 a bad command line.
#include <ostream>
#include <string>
#include <vector>

namespace soma {

// args excludes the program name.
int soma_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace soma
