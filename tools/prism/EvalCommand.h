//===- EvalCommand.h - `prism eval` -----------------------------*- C++ -*-===//

#ifndef PRISM_TOOLS_EVALCOMMAND_H
#define PRISM_TOOLS_EVALCOMMAND_H

#include <string>
#include <vector>

namespace prism::cli {

/// `prism eval RUN_DIR|PROGRAM --data DATA [--checkpoint DIR] [--batch B]
/// [--split all|holdout] [-o METRICS.json]`; `commandLine` is recorded in the
/// metrics JSON.
int runEvalCommand(const std::vector<std::string> &args,
                   const std::string &commandLine);

} // namespace prism::cli

#endif // PRISM_TOOLS_EVALCOMMAND_H
