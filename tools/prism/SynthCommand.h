//===- SynthCommand.h - `prism data synth` ----------------------*- C++ -*-===//

#ifndef PRISM_TOOLS_SYNTHCOMMAND_H
#define PRISM_TOOLS_SYNTHCOMMAND_H

#include "CommandLine.h"

#include <string>

namespace prism::cli {

/// `prism data synth ...`: synthetic image-caption embeddings from a planted
/// dictionary, with the truth written beside them.
int runSynth(ArgCursor args, const std::string &commandLine);

} // namespace prism::cli

#endif // PRISM_TOOLS_SYNTHCOMMAND_H
