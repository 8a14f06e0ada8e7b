//===- CommandLine.h - Argument handling for `prism` ------------*- C++ -*-===//

#ifndef PRISM_TOOLS_COMMANDLINE_H
#define PRISM_TOOLS_COMMANDLINE_H

#include <string>
#include <vector>

namespace prism::cli {

/// Exit statuses of every `prism` command (see docs/cli.md).
enum ExitCode : int { Success = 0, UserError = 1, Diverged = 2 };

/// Walks a command's arguments in order; options may bind to the value that
/// follows them (`-o OUT`) or to the previous option (`--npy F --layout L`).
class ArgCursor {
public:
  ArgCursor(std::string command, std::vector<std::string> args)
      : command(std::move(command)), args(std::move(args)) {}

  bool done() const { return index >= args.size(); }
  const std::string &next() { return args[index++]; }
  /// The value after option `option`; on a missing value, reports it and
  /// returns false.
  bool value(const std::string &option, std::string &out);

  /// Prints `prism CMD: error: MESSAGE` and returns UserError.
  int fail(const std::string &message) const;
  const std::string &name() const { return command; }

private:
  std::string command;
  std::vector<std::string> args;
  size_t index = 0;
};

/// The whole command line, quoted where needed, for provenance records.
std::string joinCommandLine(int argc, char **argv);

} // namespace prism::cli

#endif // PRISM_TOOLS_COMMANDLINE_H
