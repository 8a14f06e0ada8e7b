//===- ProgramWriter.cpp - Writing .prism programs ------------------------===//
//
// The FlatBuffer comes first and the blobs follow it, so their offsets depend
// on the FlatBuffer's size. BlobRef is a fixed-size struct, so the FlatBuffer
// is built once to learn its size and again with the final offsets; the two
// builds have the same size.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/AtomicFile.h"
#include "prism/runtime/Program.h"

#include "program_generated.h"

using namespace prism;
namespace fbs = prism::schema;

static uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

static flatbuffers::Offset<fbs::TrainConfig>
buildTrainConfig(flatbuffers::FlatBufferBuilder &fbb,
                 const TrainConfig &train) {
  return fbs::CreateTrainConfigDirect(
      fbb, train.optimizer.c_str(), train.lr, train.beta1, train.beta2,
      train.eps, train.weightDecay, train.schedule.c_str(), train.warmupSteps,
      train.warmupEpochs, train.minLr, train.batch, train.steps, train.epochs,
      train.seed, train.deadWindow, train.matmul.c_str());
}

static flatbuffers::Offset<fbs::Buffer>
buildBuffer(flatbuffers::FlatBufferBuilder &fbb, const BufferInfo &buffer) {
  flatbuffers::Offset<fbs::ParamInit> init;
  if (buffer.init.kind != InitKind::None)
    init = fbs::CreateParamInitDirect(
        fbb, static_cast<fbs::InitKind>(buffer.init.kind), buffer.init.value,
        buffer.init.std, buffer.init.seed, buffer.init.source.c_str());
  return fbs::CreateBufferDirect(
      fbb, buffer.name.c_str(), static_cast<fbs::BufferKind>(buffer.kind),
      static_cast<fbs::ElementType>(buffer.elementType), &buffer.shape, init,
      static_cast<fbs::Constraint>(buffer.constraint));
}

static flatbuffers::Offset<fbs::EntryPoint>
buildEntryPoint(flatbuffers::FlatBufferBuilder &fbb,
                const EntryPointInfo &entry) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> scalars;
  for (const std::string &scalar : entry.scalars)
    scalars.push_back(fbb.CreateString(scalar));
  return fbs::CreateEntryPointDirect(fbb, entry.name.c_str(), entry.kernelImage,
                                     entry.symbol.c_str(), &scalars,
                                     &entry.reads, &entry.writes);
}

/// The finished FlatBuffer of `info` with the blobs at `offsets`.
static void build(flatbuffers::FlatBufferBuilder &fbb, const ProgramInfo &info,
                  const std::vector<uint64_t> &offsets) {
  // Writes every field, defaults included (format_version = 1 among them),
  // so other readers (flatc --json) see the whole table.
  fbb.ForceDefaults(true);
  std::vector<flatbuffers::Offset<fbs::Hyper>> hypers;
  for (const auto &[name, value] : info.hypers)
    hypers.push_back(fbs::CreateHyperDirect(fbb, name.c_str(), value));
  flatbuffers::Offset<fbs::TrainConfig> train;
  if (info.train)
    train = buildTrainConfig(fbb, *info.train);
  std::vector<flatbuffers::Offset<fbs::Buffer>> buffers;
  for (const BufferInfo &buffer : info.buffers)
    buffers.push_back(buildBuffer(fbb, buffer));
  std::vector<flatbuffers::Offset<fbs::KernelImage>> kernels;
  for (size_t i = 0; i < info.kernels.size(); ++i) {
    const KernelImageInfo &kernel = info.kernels[i];
    fbs::BlobRef blob(offsets[i], kernel.size);
    kernels.push_back(fbs::CreateKernelImageDirect(
        fbb, static_cast<fbs::Target>(kernel.target), kernel.arch.c_str(),
        kernel.format.c_str(), &blob));
  }
  std::vector<flatbuffers::Offset<fbs::EntryPoint>> entries;
  for (const EntryPointInfo &entry : info.entryPoints)
    entries.push_back(buildEntryPoint(fbb, entry));
  auto root = fbs::CreateProgramDirect(
      fbb, info.formatVersion, info.modelName.c_str(),
      static_cast<fbs::Target>(info.target), &hypers, train, &buffers, &kernels,
      &entries, info.sourcePath.c_str(), info.source.c_str(),
      info.options.c_str(), info.compilerVersion.c_str());
  fbs::FinishProgramBuffer(fbb, root);
}

StatusOr<std::string> ProgramWriter::serialize() const {
  if (blobs.size() != info.kernels.size())
    return Status::error(
        "", "internal: " + std::to_string(blobs.size()) + " blobs for " +
                std::to_string(info.kernels.size()) + " kernel images");
  ProgramInfo sized = info;
  for (size_t i = 0; i < blobs.size(); ++i)
    sized.kernels[i].size = blobs[i].size();

  std::vector<uint64_t> offsets(blobs.size(), 0);
  flatbuffers::FlatBufferBuilder probe;
  build(probe, sized, offsets);
  uint64_t cursor = probe.GetSize();
  for (size_t i = 0; i < blobs.size(); ++i) {
    cursor = alignUp(cursor, kProgramBlobAlignment);
    offsets[i] = cursor;
    cursor += blobs[i].size();
  }
  flatbuffers::FlatBufferBuilder fbb;
  build(fbb, sized, offsets);
  if (fbb.GetSize() != probe.GetSize())
    return Status::error("", "internal: the program FlatBuffer changed size "
                             "between builds");

  std::string bytes(reinterpret_cast<const char *>(fbb.GetBufferPointer()),
                    fbb.GetSize());
  for (size_t i = 0; i < blobs.size(); ++i) {
    bytes.resize(offsets[i], '\0');
    bytes += blobs[i];
  }
  return bytes;
}

Status ProgramWriter::write(const std::string &path) const {
  StatusOr<std::string> bytes = serialize();
  if (!bytes.isOk())
    return Status::error(path, bytes.getStatus().getMessage());
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(bytes->data(), bytes->size());
  if (status.isOk())
    status = writer->commit();
  return status;
}
