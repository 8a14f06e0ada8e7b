//===- Program.h - Compiled SAE programs (.prism) ---------------*- C++ -*-===//
//
// A program is what `prismc -emit=program` writes and the runtime executes:
// a FlatBuffer (runtime/schemas/program.fbs, identifier "PRSM") declaring the
// buffers, kernel images, entry points and training options, followed by the
// kernel images' bytes. BlobRef offsets count from the start of the file.
//
// This header is the format only: opening and checking a program, and
// writing one. It links no executor (no dlopen, no OpenMP) so the compiler can
// use the writer; the library target is `prism_program_format`.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_PROGRAM_H
#define PRISM_RUNTIME_PROGRAM_H

#include "prism/runtime/MappedFile.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prism {

/// The values mirror program.fbs.
enum class ProgramTarget : uint8_t { Cpu = 0, Cuda = 1 };
enum class ElementType : uint8_t { F32 = 0, F16 = 1, BF16 = 2 };
enum class BufferKind : uint8_t {
  Parameter = 0,
  OptimizerState,
  ModelState,
  Input,
  Output,
  Scratch,
  Metric
};
enum class InitKind : uint8_t {
  None = 0,
  Constant,
  Kaiming,
  Xavier,
  Normal,
  Mean,
  Median,
  Transpose,
  Copy
};
enum class ParamConstraint : uint8_t { None = 0, UnitRows, UnitCols };

/// The schema's names: "Cpu", "F32", "Parameter", "Kaiming", "UnitRows", ...
const char *targetName(ProgramTarget target);
const char *elementTypeName(ElementType type);
const char *bufferKindName(BufferKind kind);
const char *initKindName(InitKind kind);
const char *constraintName(ParamConstraint constraint);

/// How the runtime fills a parameter before the first step.
struct ParamInit {
  InitKind kind = InitKind::None;
  double value = 0;   // Constant
  double std = 1;     // Normal
  uint64_t seed = 0;  // Normal (mixed with the run seed)
  std::string source; // Mean/Median: an input; Transpose/Copy: a parameter
};

struct BufferInfo {
  std::string name;
  BufferKind kind = BufferKind::Scratch;
  ElementType elementType = ElementType::F32;
  std::vector<int64_t> shape; // -1 marks the batch dimension; [] a scalar
  ParamInit init;
  ParamConstraint constraint = ParamConstraint::None;

  /// True when a dimension is -1.
  bool isBatched() const;
  /// The shape with every -1 replaced by `batch`.
  std::vector<uint64_t> concreteShape(uint64_t batch) const;
  uint64_t numElements(uint64_t batch) const;
};

struct KernelImageInfo {
  ProgramTarget target = ProgramTarget::Cpu;
  std::string arch;              // "x86_64", "sm_90", ...
  std::string format;            // "so", "ptx", "cubin"
  uint64_t offset = 0, size = 0; // the blob; set by the loader and the writer
};

struct EntryPointInfo {
  std::string name;         // "train_step", "forward", ...
  uint32_t kernelImage = 0; // index into ProgramInfo::kernels
  std::string symbol;       // the exported C function
  std::vector<std::string> scalars;
  std::vector<uint32_t> reads, writes; // buffer indices
};

/// The training options of the model's `train` block.
struct TrainConfig {
  std::string optimizer = "adam";
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weightDecay = 0;
  std::string schedule = "constant"; // "constant", "linear", "cosine"
  int64_t warmupSteps = 0;
  double warmupEpochs = 0;
  double minLr = 0;
  int64_t batch = 0;
  int64_t steps = 0; // 0 when given as epochs
  int64_t epochs = 0;
  uint64_t seed = 0;
  int64_t deadWindow = 0;      // samples; 0 = the runtime's default
  std::string matmul = "tf32"; // GPU GEMMs: "tf32", "bf16" or "fp32"
};

/// Everything a program file declares, as plain values.
struct ProgramInfo {
  uint32_t formatVersion = 1;
  std::string modelName;
  ProgramTarget target = ProgramTarget::Cpu;
  std::vector<std::pair<std::string, double>> hypers;
  std::optional<TrainConfig> train;
  std::vector<BufferInfo> buffers;
  std::vector<KernelImageInfo> kernels;
  std::vector<EntryPointInfo> entryPoints;
  std::string sourcePath, source, options, compilerVersion;

  /// The index of buffer `name`, or -1.
  int findBuffer(const std::string &name) const;
  const EntryPointInfo *findEntryPoint(const std::string &name) const;
  std::optional<double> hyper(const std::string &name) const;
};

/// The program format version this runtime reads and writes.
constexpr uint32_t kProgramFormatVersion = 1;
/// Kernel images start at multiples of this many bytes.
constexpr uint64_t kProgramBlobAlignment = 64;

/// A verified program, memory-mapped; the kernel images are read in place.
class Program {
public:
  /// Checks, in order: the identifier "PRSM", the FlatBuffers verifier, the
  /// format version, every buffer (a name, unique; F32; dimensions > 0, or
  /// -1 in Input, Output and Scratch buffers only), every kernel image's
  /// blob inside the file, and every entry point (a unique name, a non-empty
  /// symbol, its kernel image and buffer indices in range). Each failure is
  /// a `FILE: error: ...` Status.
  static StatusOr<Program> open(const std::string &path);

  const ProgramInfo &info() const { return contents; }
  const std::string &path() const { return file.path(); }
  /// The bytes of kernel image `index` (info().kernels[index].size of them).
  const uint8_t *blob(size_t index) const {
    return file.data() + contents.kernels[index].offset;
  }

private:
  MappedFile file;
  ProgramInfo contents;
};

/// Builds program files: the FlatBuffer, then each kernel image at the next
/// multiple of kProgramBlobAlignment. The offsets and sizes in
/// info.kernels are computed, whatever they held.
struct ProgramWriter {
  ProgramInfo info;
  /// blobs[i] holds the bytes of info.kernels[i].
  std::vector<std::string> blobs;

  /// The whole file's bytes.
  StatusOr<std::string> serialize() const;
  /// Writes `path` atomically (temporary file, fsync, rename, directory
  /// fsync): on failure an existing file is left untouched.
  Status write(const std::string &path) const;
};

} // namespace prism

#endif // PRISM_RUNTIME_PROGRAM_H
