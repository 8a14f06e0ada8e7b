//===- ProgramTest.cpp - Reading, checking and writing .prism files -------===//
//
// Every check of Program::open, each with a program the writer builds (or
// whose bytes the test damages) and the exact message it must produce.
//
//===----------------------------------------------------------------------===//

#include "LsqProgram.h"
#include "TestFiles.h"

#include "prism/runtime/Program.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace prism;
using namespace prism::test;

namespace {

class ProgramTest : public testing::Test {
protected:
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);

  std::string path() const { return dir.path("p.prism"); }

  /// Writes `bytes` and expects Program::open to fail with `message`.
  void expectBytesRejected(const std::string &bytes,
                           const std::string &message) {
    writeBytes(path(), bytes);
    StatusOr<Program> program = Program::open(path());
    ASSERT_FALSE(program.isOk());
    EXPECT_EQ(program.getStatus().str(), path() + ": error: " + message);
  }

  /// Serialises the (modified) writer and expects `message`.
  void expectRejected(const std::string &message) {
    StatusOr<std::string> bytes = writer.serialize();
    ASSERT_TRUE(bytes.isOk()) << bytes.getStatus().str();
    expectBytesRejected(*bytes, message);
  }

  TempDir dir;
};

TEST_F(ProgramTest, RoundTrip) {
  ASSERT_TRUE(writer.write(path()).isOk());
  StatusOr<Program> program = Program::open(path());
  ASSERT_TRUE(program.isOk()) << program.getStatus().str();
  const ProgramInfo &info = program->info();
  EXPECT_EQ(info.formatVersion, 1u);
  EXPECT_EQ(info.modelName, "lsq");
  EXPECT_EQ(info.target, ProgramTarget::Cpu);
  ASSERT_EQ(info.hypers.size(), 2u);
  EXPECT_EQ(info.hyper("q"), 2.0);
  EXPECT_FALSE(info.hyper("nope"));
  ASSERT_TRUE(info.train);
  EXPECT_EQ(info.train->lr, 0.05);
  EXPECT_EQ(info.train->beta2, 0.999);
  EXPECT_EQ(info.train->schedule, "constant");
  EXPECT_EQ(info.train->batch, 16);
  EXPECT_EQ(info.train->steps, 40);
  EXPECT_EQ(info.train->seed, 7u);
  EXPECT_EQ(info.train->deadWindow, 100);
  ASSERT_EQ(info.buffers.size(), writer.info.buffers.size());
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    EXPECT_EQ(info.buffers[i].name, writer.info.buffers[i].name);
    EXPECT_EQ(info.buffers[i].kind, writer.info.buffers[i].kind);
    EXPECT_EQ(info.buffers[i].shape, writer.info.buffers[i].shape);
  }
  EXPECT_EQ(info.buffers[0].init.kind, InitKind::Constant);
  EXPECT_EQ(info.findBuffer("x"), 3);
  EXPECT_EQ(info.findBuffer("nope"), -1);
  EXPECT_TRUE(info.buffers[3].isBatched());
  EXPECT_EQ(info.buffers[3].numElements(5), 30u);
  EXPECT_EQ(info.buffers[5].numElements(5), 1u); // a scalar
  ASSERT_NE(info.findEntryPoint("train_step"), nullptr);
  EXPECT_EQ(
      info.findEntryPoint("train_step")->scalars,
      (std::vector<std::string>{"lr", "bias_correction1", "bias_correction2"}));
  EXPECT_EQ(info.findEntryPoint("forward")->writes, std::vector<uint32_t>{9});
  EXPECT_EQ(info.source, "// hand-written");
  EXPECT_EQ(info.compilerVersion, "test");

  // The blob follows the FlatBuffer, 64-byte aligned, byte for byte.
  ASSERT_EQ(info.kernels.size(), 1u);
  const KernelImageInfo &image = info.kernels[0];
  EXPECT_EQ(image.format, "so");
  EXPECT_EQ(image.offset % kProgramBlobAlignment, 0u);
  EXPECT_EQ(image.size, writer.blobs[0].size());
  EXPECT_EQ(std::memcmp(program->blob(0), writer.blobs[0].data(), image.size),
            0);
  EXPECT_EQ(contentsOf(path()).size(), image.offset + image.size);
}

TEST_F(ProgramTest, WriterIsDeterministicAndAtomic) {
  StatusOr<std::string> first = writer.serialize(), second = writer.serialize();
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_EQ(*first, *second);
  ASSERT_TRUE(writer.write(path()).isOk());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.prism"});
  writer.blobs.pop_back(); // one kernel image without its bytes
  Status status = writer.write(path());
  EXPECT_EQ(status.str(),
            path() + ": error: internal: 0 blobs for 1 kernel images");
  EXPECT_EQ(contentsOf(path()), *first) << "the old file must survive";
}

TEST_F(ProgramTest, MissingFile) {
  StatusOr<Program> program = Program::open(dir.path("none.prism"));
  ASSERT_FALSE(program.isOk());
  EXPECT_EQ(program.getStatus().str(),
            dir.path("none.prism") +
                ": error: cannot open: No such file or directory");
}

TEST_F(ProgramTest, BadIdentifier) {
  std::string bytes = *writer.serialize();
  std::memcpy(&bytes[4], "PEMB", 4);
  expectBytesRejected(bytes, "not a Prism program: expected the identifier "
                             "'PRSM' at bytes 4-7");
  expectBytesRejected("PRSM", "not a Prism program: expected the identifier "
                              "'PRSM' at bytes 4-7");
}

TEST_F(ProgramTest, VerifierFailure) {
  std::string bytes = *writer.serialize();
  // The root table offset now points past the end of the file.
  bytes[0] = bytes[1] = bytes[2] = '\xf0';
  bytes[3] = '\x0f';
  expectBytesRejected(bytes,
                      "corrupt program (FlatBuffers verification failed)");
}

TEST_F(ProgramTest, FormatVersion) {
  writer.info.formatVersion = 2;
  expectRejected("unsupported program format version 2 (this runtime reads "
                 "version 1)");
}

TEST_F(ProgramTest, ElementType) {
  writer.info.buffers[0].elementType = ElementType::F16;
  expectRejected("buffer 'W' has element type F16; only F32 is supported");
  writer.info.buffers[0].elementType = static_cast<ElementType>(9);
  expectRejected("buffer 'W' has an unknown element type 9");
}

TEST_F(ProgramTest, Shapes) {
  writer.info.buffers[0].shape = {4, 0};
  expectRejected("buffer 'W' has shape [4, 0]: every dimension must be "
                 "positive, or -1 for the batch");
  writer.info.buffers[0].shape = {-2, 4};
  expectRejected("buffer 'W' has shape [-2, 4]: every dimension must be "
                 "positive, or -1 for the batch");
  writer.info.buffers[0].shape = {-1, 2};
  expectRejected("buffer 'W' (Parameter) has shape [-1, 2]: only Input, "
                 "Output and Scratch buffers may have a batch dimension (-1)");
  writer.info.buffers[0].shape = {1 << 20, 1 << 20, 2};
  expectRejected("buffer 'W' has shape [1048576, 1048576, 2]: more than 2^40 "
                 "elements");
}

TEST_F(ProgramTest, BufferNamesAndKinds) {
  writer.info.buffers[2].name = "W";
  expectRejected("buffer 2 ('W') has the same name as buffer 0");
  writer.info.buffers[2].name = "";
  expectRejected("buffer 2 has no name");
  writer.info.buffers[2].name = "adam.v.W";
  writer.info.buffers[2].kind = static_cast<BufferKind>(42);
  expectRejected("buffer 'adam.v.W' has an unknown kind 42");
  writer.info.buffers[2].kind = BufferKind::OptimizerState;
  writer.info.buffers[0].init.kind = static_cast<InitKind>(30);
  expectRejected("buffer 'W' has an unknown initialiser kind 30");
  writer.info.buffers[0].init.kind = InitKind::Kaiming;
  writer.info.buffers[0].constraint = static_cast<ParamConstraint>(5);
  expectRejected("buffer 'W' has an unknown constraint 5");
}

TEST_F(ProgramTest, KernelImages) {
  writer.blobs[0] = "";
  expectRejected("kernel image 0 (so) is empty");
  writer.blobs[0] = std::string(100, 'k');
  std::string bytes = *writer.serialize();
  bytes.resize(bytes.size() - 1);
  uint64_t offset = bytes.size() + 1 - 100;
  expectBytesRejected(bytes, "kernel image 0 (so) occupies bytes [" +
                                 std::to_string(offset) + ", " +
                                 std::to_string(offset + 100) +
                                 "), past the end of the file (" +
                                 std::to_string(bytes.size()) + " bytes)");
  writer.info.kernels[0].target = static_cast<ProgramTarget>(3);
  expectRejected("kernel image 0 has an unknown target 3");
}

TEST_F(ProgramTest, EntryPoints) {
  EntryPointInfo &step = writer.info.entryPoints[0];
  step.kernelImage = 3;
  expectRejected("entry point 'train_step' uses kernel image 3, but the "
                 "program has 1");
  step.kernelImage = 0;
  step.symbol = "";
  expectRejected("entry point 'train_step' has no symbol");
  step.symbol = "lsq_train_step";
  step.reads.push_back(11);
  expectRejected("entry point 'train_step' reads buffer 11, but the program "
                 "has 11 buffers");
  step.reads.pop_back();
  step.writes.push_back(99);
  expectRejected("entry point 'train_step' writes buffer 99, but the program "
                 "has 11 buffers");
  step.writes.pop_back();
  writer.info.entryPoints[1].name = "train_step";
  expectRejected("entry point 'train_step' is declared twice");
  writer.info.entryPoints[1].name = "";
  expectRejected("entry point 1 has no name");
}

} // namespace
