//===- LsqProgram.h - Programs around the hand-written test kernel -*- C++ -*-//
//
// Packs a least-squares kernel image (Inputs/LsqKernel.c, built by CMake as
// shared objects) into a program with the buffer plan the kernel expects,
// and writes datasets for it: rows [a, t] with t = a W* + noise.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TEST_UNITTESTS_LSQPROGRAM_H
#define PRISM_TEST_UNITTESTS_LSQPROGRAM_H

#include "prism/runtime/CpuExecutor.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/Program.h"

#include "TestFiles.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace prism::test {

/// The kernel's compiled-in sizes.
constexpr int kLsqP = 4, kLsqQ = 2;

inline BufferInfo lsqBuffer(std::string name, BufferKind kind,
                            std::vector<int64_t> shape) {
  BufferInfo buffer;
  buffer.name = std::move(name);
  buffer.kind = kind;
  buffer.shape = std::move(shape);
  return buffer;
}

/// The program of the kernel at `kernelPath` (a shared object), W
/// initialised to 0, Adam with the kernel's betas, a constant schedule.
inline ProgramWriter lsqProgram(const std::string &kernelPath) {
  ProgramWriter writer;
  ProgramInfo &info = writer.info;
  info.modelName = "lsq";
  info.hypers = {{"p", kLsqP}, {"q", kLsqQ}};
  TrainConfig train;
  train.lr = 0.05;
  train.beta1 = 0.9;
  train.beta2 = 0.999;
  train.eps = 1e-8;
  train.schedule = "constant";
  train.batch = 16;
  train.steps = 40;
  train.seed = 7;
  train.deadWindow = 100;
  info.train = train;
  info.buffers = {
      lsqBuffer("W", BufferKind::Parameter, {kLsqP, kLsqQ}),
      lsqBuffer("adam.m.W", BufferKind::OptimizerState, {kLsqP, kLsqQ}),
      lsqBuffer("adam.v.W", BufferKind::OptimizerState, {kLsqP, kLsqQ}),
      lsqBuffer("x", BufferKind::Input, {-1, kLsqP + kLsqQ}),
      lsqBuffer("dead_mask", BufferKind::ModelState, {kLsqP}),
      lsqBuffer("loss", BufferKind::Output, {}),
      lsqBuffer("l0", BufferKind::Output, {}),
      lsqBuffer("fired", BufferKind::Output, {kLsqP}),
      lsqBuffer("calls", BufferKind::ModelState, {1}),
      lsqBuffer("pred", BufferKind::Output, {-1, kLsqQ}),
      lsqBuffer("dead_seen", BufferKind::ModelState, {kLsqP}),
  };
  info.buffers[0].init.kind = InitKind::Constant;
  info.buffers[0].init.value = 0.0;
  KernelImageInfo image;
  image.target = ProgramTarget::Cpu;
  image.arch = hostArchitecture();
  image.format = "so";
  info.kernels = {image};
  writer.blobs = {contentsOf(kernelPath)};
  EntryPointInfo step;
  step.name = "train_step";
  step.symbol = "lsq_train_step";
  step.scalars = {"lr", "bias_correction1", "bias_correction2"};
  step.reads = {0, 1, 2, 3, 4, 8};
  step.writes = {0, 1, 2, 5, 6, 7, 8, 10};
  EntryPointInfo forward;
  forward.name = "forward";
  forward.symbol = "lsq_forward";
  forward.reads = {0, 3};
  forward.writes = {9};
  info.entryPoints = {step, forward};
  info.sourcePath = "lsq.c";
  info.source = "// hand-written";
  info.compilerVersion = "test";
  return writer;
}

/// The planted solution W* [P, Q], row-major.
inline std::vector<float> lsqTruth() {
  return {0.5f, -1.0f, 1.5f, 0.25f, -0.75f, 2.0f, 1.0f, -0.5f};
}

/// `rows` rows [a, t]: a uniform in [-1, 1) from a fixed mt19937 stream
/// (raw 32-bit outputs, no std:: distribution, so the data is the same
/// everywhere), t = a W* + noise * (the next uniform). Features listed in
/// `zeroFeatures` are 0 in every row.
inline DatasetContents lsqDataset(uint64_t rows, double noise = 0.01,
                                  std::vector<int> zeroFeatures = {}) {
  std::mt19937 rng(12345);
  auto uniform = [&] {
    return static_cast<float>(static_cast<double>(rng()) / 4294967296.0 * 2.0 -
                              1.0);
  };
  std::vector<float> truth = lsqTruth();
  DatasetContents data;
  data.dim = kLsqP + kLsqQ;
  data.rows = rows;
  for (uint64_t r = 0; r < rows; ++r) {
    float a[kLsqP];
    for (int j = 0; j < kLsqP; ++j) {
      a[j] = uniform();
      for (int zero : zeroFeatures)
        if (zero == j)
          a[j] = 0.0f;
      data.values.push_back(a[j]);
    }
    for (int k = 0; k < kLsqQ; ++k) {
      double t = 0;
      for (int j = 0; j < kLsqP; ++j)
        t += static_cast<double>(a[j]) * truth[j * kLsqQ + k];
      data.values.push_back(static_cast<float>(t + noise * uniform()));
    }
  }
  data.modality.assign(rows, Modality::Unspecified);
  data.pairId.assign(rows, -1);
  data.provenance.tool = "LsqProgram.h";
  return data;
}

} // namespace prism::test

#endif // PRISM_TEST_UNITTESTS_LSQPROGRAM_H
