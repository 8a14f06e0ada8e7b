//===- TrainCommand.h - `prism train` ---------------------------*- C++ -*-===//

#ifndef PRISM_TOOLS_TRAINCOMMAND_H
#define PRISM_TOOLS_TRAINCOMMAND_H

#include <string>
#include <vector>

namespace prism::cli {

/// `prism train MODEL.sae|PROGRAM.prism --data DATA ... -o RUN_DIR`;
/// `commandLine` is recorded in RUN_DIR/run.json.
int runTrainCommand(const std::vector<std::string> &args,
                    const std::string &commandLine);

} // namespace prism::cli

#endif // PRISM_TOOLS_TRAINCOMMAND_H
