//===- CommandLine.cpp - Argument handling for `prism` --------------------===//

#include "CommandLine.h"

#include <iostream>

using namespace prism::cli;

bool ArgCursor::value(const std::string &option, std::string &out) {
  if (done()) {
    fail("option '" + option + "' needs a value");
    return false;
  }
  out = next();
  return true;
}

int ArgCursor::fail(const std::string &message) const {
  std::cerr << "prism " << command << ": error: " << message << "\n";
  return UserError;
}

std::string prism::cli::joinCommandLine(int argc, char **argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    bool plain =
        !arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos;
    if (i)
      line += ' ';
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg)
      line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}
