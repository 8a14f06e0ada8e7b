//===- AnalyzeCommand.h - `prism analyze` -----------------------*- C++ -*-===//

#ifndef PRISM_TOOLS_ANALYZECOMMAND_H
#define PRISM_TOOLS_ANALYZECOMMAND_H

#include <string>
#include <vector>

namespace prism::cli {

/// `prism analyze RUN_DIR... --data DATA -o REPORT_DIR [options]`: the
/// concept measurements of SCIENCE.md §3 (docs/analysis.md); `commandLine`
/// is recorded in report.json.
int runAnalyzeCommand(const std::vector<std::string> &args,
                      const std::string &commandLine);

} // namespace prism::cli

#endif // PRISM_TOOLS_ANALYZECOMMAND_H
