//===- CpuExecutorTest.cpp - Loading kernel images and calling them -------===//
//
// Runs the hand-written least-squares kernel (Inputs/LsqKernel.c) through
// the executor and checks its outputs against values computed here, plus
// every way loading or calling can fail.
//
//===----------------------------------------------------------------------===//

#include "LsqProgram.h"
#include "TestFiles.h"

#include "prism/runtime/CpuExecutor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

using namespace prism;
using namespace prism::test;

namespace {

class CpuExecutorTest : public testing::Test {
protected:
  /// Writes `writer`'s program and creates an executor for it.
  StatusOr<std::unique_ptr<CpuExecutor>> load(const ProgramWriter &writer,
                                              const std::string &name = "p") {
    std::string path = dir.path(name + ".prism");
    Status status = writer.write(path);
    if (!status.isOk())
      return status;
    StatusOr<Program> program = Program::open(path);
    if (!program.isOk())
      return program.getStatus();
    return CpuExecutor::create(*program);
  }

  std::string programPath(const std::string &name = "p") const {
    return dir.path(name + ".prism");
  }

  TempDir dir;
};

TEST_F(CpuExecutorTest, ForwardComputesXW) {
  auto exec = load(lsqProgram(PRISM_LSQ_KERNEL));
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  CpuExecutor &e = **exec;
  EXPECT_TRUE(e.hasEntryPoint("forward"));
  EXPECT_FALSE(e.hasEntryPoint("encode"));
  EXPECT_EQ(e.buffer(3), nullptr) << "batch buffers wait for the batch size";
  ASSERT_TRUE(e.setBatchSize(2).isOk());
  std::vector<float> truth = lsqTruth();
  std::copy(truth.begin(), truth.end(), e.buffer(0));
  const float x[2][6] = {{1, 0, 0, 0, 9, 9}, {1, 2, -1, 0.5f, 9, 9}};
  std::copy(&x[0][0], &x[0][0] + 12, e.buffer(3));
  ASSERT_TRUE(e.run("forward", {}).isOk());
  const float *pred = e.buffer(9);
  // Row 0 picks W's first row; row 1 is 1*W0 + 2*W1 - W2 + 0.5*W3.
  EXPECT_EQ(pred[0], 0.5f);
  EXPECT_EQ(pred[1], -1.0f);
  EXPECT_EQ(pred[2], 0.5f + 3.0f + 0.75f + 0.5f);
  EXPECT_EQ(pred[3], -1.0f + 0.5f - 2.0f - 0.25f);
  EXPECT_EQ(e.shape(9), (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(e.shape(5), std::vector<uint64_t>{});
  EXPECT_EQ(e.numElements(5), 1u);
}

TEST_F(CpuExecutorTest, TrainStepIsOneAdamStep) {
  auto exec = load(lsqProgram(PRISM_LSQ_KERNEL));
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  CpuExecutor &e = **exec;
  ASSERT_TRUE(e.setBatchSize(2).isOk());
  // a = e_0 and e_1, t = (1, -2) and (0, 3); W = 0, so the residual is -t.
  const float x[2][6] = {{1, 0, 0, 0, 1, -2}, {0, 1, 0, 0, 0, 3}};
  std::copy(&x[0][0], &x[0][0] + 12, e.buffer(3));
  e.buffer(4)[2] = 1.0f; // latent 2 is dead
  const float lr = 0.1f;
  // Step 1: bias corrections 1 - 0.9 and 1 - 0.999.
  ASSERT_TRUE(e.run("train_step", {lr, 0.1f, 0.001f}).isOk());
  // loss = (1 + 4 + 0 + 9) / (2 rows * 2 outputs).
  EXPECT_FLOAT_EQ(*e.buffer(5), 14.0f / 4.0f);
  EXPECT_FLOAT_EQ(*e.buffer(6), 1.0f); // one non-zero a_j per row
  EXPECT_EQ(std::vector<float>(e.buffer(7), e.buffer(7) + 4),
            (std::vector<float>{1, 1, 0, 0}));
  EXPECT_EQ(std::vector<float>(e.buffer(10), e.buffer(10) + 4),
            (std::vector<float>{0, 0, 1, 0}))
      << "the kernel saw the dead mask";
  // dW = 2 a^T (0 - t) / 4: row 0 = (-0.5, 1), row 1 = (0, -1.5), the rest 0.
  // Adam's first step with bias correction moves each weight by
  // -lr * g / (|g| + eps): -lr * sign(g), and 0 where g = 0.
  const float *W = e.buffer(0);
  const float expected[8] = {lr, -lr, 0, lr, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i)
    EXPECT_NEAR(W[i], expected[i], 1e-5) << "W element " << i;
  // The kernel's float (1 - beta) is off by a few ulps of beta.
  EXPECT_NEAR(e.buffer(1)[0], 0.1 * -0.5, 1e-7);  // m = (1 - beta1) g
  EXPECT_NEAR(e.buffer(2)[1], 0.001 * 1.0, 1e-7); // v = (1 - beta2) g^2
  EXPECT_EQ(e.buffer(8)[0], 1.0f);
}

TEST_F(CpuExecutorTest, BatchBuffersFollowTheBatchSize) {
  auto exec = load(lsqProgram(PRISM_LSQ_KERNEL));
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  CpuExecutor &e = **exec;
  ASSERT_TRUE(e.setBatchSize(3).isOk());
  float *weights = e.buffer(0);
  e.buffer(3)[17] = 5.0f;
  float *x = e.buffer(3);
  ASSERT_TRUE(e.setBatchSize(3).isOk());
  EXPECT_EQ(e.buffer(3), x) << "the same size keeps the buffer";
  EXPECT_EQ(e.buffer(3)[17], 5.0f);
  ASSERT_TRUE(e.setBatchSize(100).isOk());
  EXPECT_EQ(e.numElements(3), 600u);
  EXPECT_EQ(e.buffer(0), weights) << "parameters never move";
  for (size_t i = 0; i < e.info().buffers.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(e.buffer(i)) % 64, 0u)
        << e.info().buffers[i].name << " is not 64-byte aligned";
  }
  for (uint64_t i = 0; i < e.numElements(3); ++i)
    ASSERT_EQ(e.buffer(3)[i], 0.0f) << "a new batch buffer starts zeroed";
  EXPECT_EQ(e.setBatchSize(0).str(),
            programPath() + ": error: the batch size must be positive");
}

TEST_F(CpuExecutorTest, CallErrors) {
  auto exec = load(lsqProgram(PRISM_LSQ_KERNEL));
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  CpuExecutor &e = **exec;
  EXPECT_EQ(e.run("forward", {}).str(),
            programPath() + ": error: entry point 'forward' called before the "
                            "batch size was set");
  ASSERT_TRUE(e.setBatchSize(1).isOk());
  EXPECT_EQ(e.run("encode", {}).str(),
            programPath() + ": error: the program has no entry point 'encode'");
  EXPECT_EQ(e.run("train_step", {0.1f}).str(),
            programPath() + ": error: entry point 'train_step' takes 3 "
                            "scalars, but was given 1");
}

TEST_F(CpuExecutorTest, NonZeroReturnCode) {
  auto exec = load(lsqProgram(PRISM_LSQ_KERNEL_FAIL));
  ASSERT_TRUE(exec.isOk()) << exec.getStatus().str();
  ASSERT_TRUE((*exec)->setBatchSize(1).isOk());
  EXPECT_EQ((*exec)->run("train_step", {0.1f, 0.1f, 0.001f}).str(),
            programPath() + ": error: entry point 'train_step' (symbol "
                            "'lsq_train_step') returned 7");
}

TEST_F(CpuExecutorTest, MissingSymbol) {
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.info.entryPoints[1].symbol = "lsq_encode";
  auto exec = load(writer);
  ASSERT_FALSE(exec.isOk());
  EXPECT_EQ(exec.getStatus().str(),
            programPath() + ": error: kernel image 0 does not export the "
                            "symbol 'lsq_encode' of entry point 'forward'");
}

TEST_F(CpuExecutorTest, WrongKindOfImage) {
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.info.kernels[0].target = ProgramTarget::Cuda;
  writer.info.kernels[0].format = "cubin";
  auto exec = load(writer);
  ASSERT_FALSE(exec.isOk());
  EXPECT_EQ(exec.getStatus().str(),
            programPath() + ": error: entry point 'train_step' uses kernel "
                            "image 0 (Cuda cubin), but the CPU executor runs "
                            "only Cpu images in format 'so'");

  writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.info.kernels[0].arch = "riscv64";
  exec = load(writer);
  ASSERT_FALSE(exec.isOk());
  EXPECT_EQ(exec.getStatus().str(),
            programPath() +
                ": error: kernel image 0 was built for riscv64, "
                "but this machine is " +
                hostArchitecture());
}

TEST_F(CpuExecutorTest, UnloadableImage) {
  ProgramWriter writer = lsqProgram(PRISM_LSQ_KERNEL);
  writer.blobs[0] = "\x7f"
                    "ELF but not really a shared object";
  auto exec = load(writer);
  ASSERT_FALSE(exec.isOk());
  std::string prefix = programPath() + ": error: cannot load kernel image 0: ";
  EXPECT_EQ(exec.getStatus().str().substr(0, prefix.size()), prefix);
}

// glibc recognises loaded libraries by path, and every image is loaded as
// /proc/self/fd/N: images loaded one after the other, or side by side, must
// each run their own code.
TEST_F(CpuExecutorTest, ImagesDoNotAlias) {
  for (int round = 0; round < 3; ++round) {
    auto plain = load(lsqProgram(PRISM_LSQ_KERNEL), "plain");
    ASSERT_TRUE(plain.isOk()) << plain.getStatus().str();
    {
      auto failing = load(lsqProgram(PRISM_LSQ_KERNEL_FAIL), "fail");
      ASSERT_TRUE(failing.isOk()) << failing.getStatus().str();
      ASSERT_TRUE((*failing)->setBatchSize(1).isOk());
      EXPECT_FALSE((*failing)->run("train_step", {0.1f, 0.1f, 0.001f}).isOk());
    }
    ASSERT_TRUE((*plain)->setBatchSize(1).isOk());
    EXPECT_TRUE((*plain)->run("train_step", {0.1f, 0.1f, 0.001f}).isOk());
    plain = Status::error("", "dropped");
    auto again = load(lsqProgram(PRISM_LSQ_KERNEL_FAIL), "fail2");
    ASSERT_TRUE(again.isOk()) << again.getStatus().str();
    ASSERT_TRUE((*again)->setBatchSize(1).isOk());
    EXPECT_FALSE((*again)->run("train_step", {0.1f, 0.1f, 0.001f}).isOk());
  }
}

} // namespace
