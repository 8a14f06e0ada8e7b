//===- DataCommands.h - `prism data ...` ------------------------*- C++ -*-===//

#ifndef PRISM_TOOLS_DATACOMMANDS_H
#define PRISM_TOOLS_DATACOMMANDS_H

#include <string>
#include <vector>

namespace prism::cli {

/// `prism data import|info ...`; `commandLine` is recorded in provenance.
int runDataCommand(const std::vector<std::string> &args,
                   const std::string &commandLine);

} // namespace prism::cli

#endif // PRISM_TOOLS_DATACOMMANDS_H
