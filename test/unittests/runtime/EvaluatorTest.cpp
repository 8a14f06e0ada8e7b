//===- EvaluatorTest.cpp - What `prism eval` requires of a program --------===//
//
// checkEvalContract on the hand-written test program (LsqProgram.h) and
// variants of it; `prism eval` end to end is test/Tools/prism/eval.test.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Evaluator.h"

#include "LsqProgram.h"

#include <gtest/gtest.h>

using namespace prism;
using namespace prism::test;

namespace {

ProgramInfo lsqInfo() { return lsqProgram(PRISM_LSQ_KERNEL).info; }

/// Adds Output buffers xhat [-1, P + Q] and z [-1, P] written by forward.
ProgramInfo withOutputs() {
  ProgramInfo info = lsqInfo();
  info.buffers.push_back(
      lsqBuffer("xhat", BufferKind::Output, {-1, kLsqP + kLsqQ}));
  info.buffers.push_back(lsqBuffer("z", BufferKind::Output, {-1, kLsqP}));
  for (EntryPointInfo &entry : info.entryPoints)
    if (entry.name == "forward")
      entry.writes = {9, static_cast<uint32_t>(info.buffers.size() - 2),
                      static_cast<uint32_t>(info.buffers.size() - 1)};
  return info;
}

std::string contractError(const ProgramInfo &info) {
  Status status = checkEvalContract(info, "p.prism");
  return status.isOk() ? "ok" : status.str();
}

TEST(EvalContractTest, NeedsForward) {
  ProgramInfo info = withOutputs();
  EXPECT_EQ(contractError(info), "ok");
  info.entryPoints.pop_back();
  EXPECT_EQ(contractError(info),
            "p.prism: error: the program has no entry point 'forward', so it "
            "cannot be evaluated (prismc -emit=program adds one for every "
            "model)");
}

TEST(EvalContractTest, NeedsXhatAndZ) {
  EXPECT_EQ(contractError(lsqInfo()),
            "p.prism: error: entry point 'forward' does not write 'xhat'; "
            "evaluation needs Output xhat [-1, d] (docs/formats.md, "
            "\"Program entry points\")");
  ProgramInfo info = withOutputs();
  info.buffers.back().shape = {kLsqP};
  EXPECT_EQ(contractError(info), "p.prism: error: output 'z' has shape [4]; "
                                 "evaluation needs [-1, n]");
  info = withOutputs();
  info.buffers[info.buffers.size() - 2].shape = {-1, 3};
  EXPECT_EQ(contractError(info),
            "p.prism: error: output 'xhat' has shape [-1, 3], but input 'x' "
            "has shape [-1, 6]");
}

TEST(EvalContractTest, OnlyXAndNoScalars) {
  ProgramInfo info = withOutputs();
  // The per-row modality codes are filled as in training.
  info.buffers.push_back(lsqBuffer("modality", BufferKind::Input, {-1}));
  info.entryPoints.back().reads.push_back(
      static_cast<uint32_t>(info.buffers.size() - 1));
  EXPECT_EQ(contractError(info), "ok");
  info.buffers.back().shape = {-1, 2};
  EXPECT_EQ(contractError(info), "p.prism: error: input 'modality' has shape "
                                 "[-1, 2]; evaluation fills it as [-1]");
  info.buffers.push_back(lsqBuffer("label", BufferKind::Input, {-1}));
  info.entryPoints.back().reads.push_back(
      static_cast<uint32_t>(info.buffers.size() - 1));
  info.buffers[info.buffers.size() - 2].shape = {-1};
  EXPECT_EQ(contractError(info),
            "p.prism: error: entry point 'forward' reads the input 'label', "
            "which evaluation cannot fill (it fills x and modality)");
  info = withOutputs();
  info.entryPoints.back().scalars = {"lr"};
  EXPECT_EQ(contractError(info), "p.prism: error: entry point 'forward' asks "
                                 "for the scalar 'lr'; evaluation provides "
                                 "none");
}

} // namespace
