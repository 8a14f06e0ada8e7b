//===- main.cpp - The `prism` command-line tool ---------------------------===//
//
// Dispatches `prism COMMAND ...` to the command's implementation. Every
// command exits 0 on success, 1 on a user error (with a `FILE: error:` message
// on stderr) and 2 when training diverged.
//
//===----------------------------------------------------------------------===//

#include "AnalyzeCommand.h"
#include "CommandLine.h"
#include "DataCommands.h"
#include "EvalCommand.h"
#include "TrainCommand.h"

#include <iostream>
#include <string>
#include <vector>

using namespace prism::cli;

static const char kUsage[] =
    R"(usage: prism COMMAND [ARGS]

Prism runs compiled sparse-autoencoder programs over embedding datasets.

commands:
  data import   build a dataset (.pemb) from .npy embeddings and captions
  data synth    make synthetic image-caption embeddings from a planted
                dictionary, with the truth beside them
  data info     summarise a dataset
  train         train a model (.sae, compiled by prismc) or a program
  eval          evaluate a trained run on a dataset (R², L0, dead latents)
  analyze       measure the concepts of trained runs: modality, Bridge
                Score, stability across runs, linear baselines; a report

Run `prism COMMAND --help` for a command's options.
)";

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return UserError;
  }
  const std::string &command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return Success;
  }
  if (command == "--version") {
    std::cout << "prism " << PRISM_VERSION << "\n";
    return Success;
  }
  if (command == "data")
    return runDataCommand({args.begin() + 1, args.end()},
                          joinCommandLine(argc, argv));
  if (command == "train")
    return runTrainCommand({args.begin() + 1, args.end()},
                           joinCommandLine(argc, argv));
  if (command == "eval")
    return runEvalCommand({args.begin() + 1, args.end()},
                          joinCommandLine(argc, argv));
  if (command == "analyze")
    return runAnalyzeCommand({args.begin() + 1, args.end()},
                             joinCommandLine(argc, argv));
  std::cerr << "prism: error: unknown command '" << command
            << "' (expected: data, train, eval, analyze); see `prism --help`\n";
  return UserError;
}
