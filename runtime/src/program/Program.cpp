//===- Program.cpp - Opening and checking .prism programs -----------------===//

#include "prism/runtime/Program.h"

#include "program_generated.h"

#include <algorithm>
#include <iterator>
#include <map>

using namespace prism;
namespace fbs = prism::schema;

//===----------------------------------------------------------------------===//
// Names and shapes
//===----------------------------------------------------------------------===//

const char *prism::targetName(ProgramTarget target) {
  return target == ProgramTarget::Cuda ? "Cuda" : "Cpu";
}

const char *prism::elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "F32";
  case ElementType::F16:
    return "F16";
  case ElementType::BF16:
    return "BF16";
  }
  return "?";
}

const char *prism::bufferKindName(BufferKind kind) {
  static const char *const names[] = {
      "Parameter", "OptimizerState", "ModelState", "Input",
      "Output",    "Scratch",        "Metric"};
  size_t index = static_cast<size_t>(kind);
  return index < std::size(names) ? names[index] : "?";
}

const char *prism::initKindName(InitKind kind) {
  static const char *const names[] = {"None",   "Constant",  "Kaiming",
                                      "Xavier", "Normal",    "Mean",
                                      "Median", "Transpose", "Copy"};
  size_t index = static_cast<size_t>(kind);
  return index < std::size(names) ? names[index] : "?";
}

const char *prism::constraintName(ParamConstraint constraint) {
  static const char *const names[] = {"None", "UnitRows", "UnitCols"};
  size_t index = static_cast<size_t>(constraint);
  return index < std::size(names) ? names[index] : "?";
}

bool BufferInfo::isBatched() const {
  return std::find(shape.begin(), shape.end(), -1) != shape.end();
}

std::vector<uint64_t> BufferInfo::concreteShape(uint64_t batch) const {
  std::vector<uint64_t> dims;
  for (int64_t dim : shape)
    dims.push_back(dim == -1 ? batch : static_cast<uint64_t>(dim));
  return dims;
}

uint64_t BufferInfo::numElements(uint64_t batch) const {
  uint64_t count = 1;
  for (uint64_t dim : concreteShape(batch))
    count *= dim;
  return count;
}

int ProgramInfo::findBuffer(const std::string &name) const {
  for (size_t i = 0; i < buffers.size(); ++i)
    if (buffers[i].name == name)
      return static_cast<int>(i);
  return -1;
}

const EntryPointInfo *
ProgramInfo::findEntryPoint(const std::string &name) const {
  for (const EntryPointInfo &entry : entryPoints)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

std::optional<double> ProgramInfo::hyper(const std::string &name) const {
  for (const auto &[key, value] : hypers)
    if (key == name)
      return value;
  return std::nullopt;
}

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static std::string str(const flatbuffers::String *text) {
  return text ? text->str() : std::string();
}

template <typename T, typename V> static std::vector<T> vec(const V *vector) {
  return vector ? std::vector<T>(vector->begin(), vector->end())
                : std::vector<T>();
}

static TrainConfig readTrainConfig(const fbs::TrainConfig &train) {
  TrainConfig config;
  config.optimizer = str(train.optimizer());
  config.lr = train.lr();
  config.beta1 = train.beta1();
  config.beta2 = train.beta2();
  config.eps = train.eps();
  config.weightDecay = train.weight_decay();
  config.schedule = str(train.schedule());
  config.warmupSteps = train.warmup_steps();
  config.warmupEpochs = train.warmup_epochs();
  config.minLr = train.min_lr();
  config.batch = train.batch();
  config.steps = train.steps();
  config.epochs = train.epochs();
  config.seed = train.seed();
  config.deadWindow = train.dead_window();
  if (train.matmul() && train.matmul()->size() > 0)
    config.matmul = str(train.matmul());
  return config;
}

/// Converts one buffer and checks what the verifier cannot: enum ranges,
/// names, element type and shape.
static Status readBuffer(const std::string &path, size_t index,
                         const fbs::Buffer &buffer, BufferInfo &out) {
  out.name = str(buffer.name());
  if (out.name.empty())
    return Status::error(path,
                         "buffer " + std::to_string(index) + " has no name");
  std::string what = "buffer '" + out.name + "'";
  auto kind = static_cast<uint8_t>(buffer.kind());
  if (kind > static_cast<uint8_t>(fbs::BufferKind::MAX))
    return Status::error(path,
                         what + " has an unknown kind " + std::to_string(kind));
  out.kind = static_cast<BufferKind>(kind);
  auto type = static_cast<uint8_t>(buffer.element_type());
  if (type > static_cast<uint8_t>(fbs::ElementType::MAX))
    return Status::error(path, what + " has an unknown element type " +
                                   std::to_string(type));
  out.elementType = static_cast<ElementType>(type);
  if (out.elementType != ElementType::F32)
    return Status::error(path, what + " has element type " +
                                   elementTypeName(out.elementType) +
                                   "; only F32 is supported");
  out.shape = vec<int64_t>(buffer.shape());
  bool batchAllowed = out.kind == BufferKind::Input ||
                      out.kind == BufferKind::Output ||
                      out.kind == BufferKind::Scratch;
  // Caps the element count so allocation sizes cannot overflow.
  const uint64_t maxElements = uint64_t(1) << 40;
  uint64_t elements = 1;
  for (int64_t dim : out.shape) {
    if (dim == -1 && !batchAllowed)
      return Status::error(path, what + " (" + bufferKindName(out.kind) +
                                     ") has shape " + shapeText(out.shape) +
                                     ": only Input, Output and Scratch "
                                     "buffers may have a batch dimension (-1)");
    if (dim == 0 || dim < -1)
      return Status::error(path, what + " has shape " + shapeText(out.shape) +
                                     ": every dimension must be positive, or "
                                     "-1 for the batch");
    if (dim > 0 && (elements *= static_cast<uint64_t>(
                        std::min<int64_t>(dim, maxElements + 1))) > maxElements)
      return Status::error(path, what + " has shape " + shapeText(out.shape) +
                                     ": more than 2^40 elements");
  }
  auto constraint = static_cast<uint8_t>(buffer.constraint());
  if (constraint > static_cast<uint8_t>(fbs::Constraint::MAX))
    return Status::error(path, what + " has an unknown constraint " +
                                   std::to_string(constraint));
  out.constraint = static_cast<ParamConstraint>(constraint);
  if (const fbs::ParamInit *init = buffer.init()) {
    auto initKind = static_cast<uint8_t>(init->kind());
    if (initKind > static_cast<uint8_t>(fbs::InitKind::MAX))
      return Status::error(path, what + " has an unknown initialiser kind " +
                                     std::to_string(initKind));
    out.init.kind = static_cast<InitKind>(initKind);
    out.init.value = init->value();
    out.init.std = init->std();
    out.init.seed = init->seed();
    out.init.source = str(init->source());
  }
  return Status::ok();
}

static Status readKernel(const std::string &path, size_t index,
                         const fbs::KernelImage &kernel, uint64_t fileSize,
                         KernelImageInfo &out) {
  std::string what = "kernel image " + std::to_string(index);
  auto target = static_cast<uint8_t>(kernel.target());
  if (target > static_cast<uint8_t>(fbs::Target::MAX))
    return Status::error(path, what + " has an unknown target " +
                                   std::to_string(target));
  out.target = static_cast<ProgramTarget>(target);
  out.arch = str(kernel.arch());
  out.format = str(kernel.format());
  if (const fbs::BlobRef *blob = kernel.blob()) {
    out.offset = blob->offset();
    out.size = blob->size();
  }
  if (out.size == 0)
    return Status::error(path, what + " (" + out.format + ") is empty");
  if (out.offset > fileSize || out.size > fileSize - out.offset)
    return Status::error(path, what + " (" + out.format + ") occupies bytes [" +
                                   std::to_string(out.offset) + ", " +
                                   std::to_string(out.offset + out.size) +
                                   "), past the end of the file (" +
                                   std::to_string(fileSize) + " bytes)");
  return Status::ok();
}

static Status readEntryPoint(const std::string &path, size_t index,
                             const fbs::EntryPoint &entry, size_t numKernels,
                             size_t numBuffers, EntryPointInfo &out) {
  out.name = str(entry.name());
  if (out.name.empty())
    return Status::error(path, "entry point " + std::to_string(index) +
                                   " has no name");
  std::string what = "entry point '" + out.name + "'";
  out.symbol = str(entry.symbol());
  if (out.symbol.empty())
    return Status::error(path, what + " has no symbol");
  out.kernelImage = entry.kernel_image();
  if (out.kernelImage >= numKernels)
    return Status::error(
        path, what + " uses kernel image " + std::to_string(out.kernelImage) +
                  ", but the program has " + std::to_string(numKernels));
  if (const auto *scalars = entry.scalars())
    for (const flatbuffers::String *scalar : *scalars)
      out.scalars.push_back(str(scalar));
  out.reads = vec<uint32_t>(entry.reads());
  out.writes = vec<uint32_t>(entry.writes());
  for (const auto &[verb, list] :
       {std::pair<const char *, const std::vector<uint32_t> *>{"reads",
                                                               &out.reads},
        {"writes", &out.writes}})
    for (uint32_t buffer : *list)
      if (buffer >= numBuffers)
        return Status::error(path, what + " " + verb + " buffer " +
                                       std::to_string(buffer) +
                                       ", but the program has " +
                                       std::to_string(numBuffers) + " buffers");
  return Status::ok();
}

StatusOr<Program> Program::open(const std::string &path) {
  StatusOr<MappedFile> mapped = MappedFile::open(path);
  if (!mapped.isOk())
    return mapped.getStatus();
  const uint8_t *bytes = mapped->data();
  uint64_t size = mapped->size();
  if (size < 8 || !fbs::ProgramBufferHasIdentifier(bytes))
    return Status::error(path, "not a Prism program: expected the identifier "
                               "'PRSM' at bytes 4-7");
  // The blobs follow the FlatBuffer, whose length is not stored: verify over
  // the whole file (offsets past the FlatBuffer are still inside it).
  flatbuffers::Verifier verifier(
      bytes, std::min<uint64_t>(size, FLATBUFFERS_MAX_BUFFER_SIZE - 1));
  if (!fbs::VerifyProgramBuffer(verifier))
    return Status::error(path, "corrupt program (FlatBuffers verification "
                               "failed)");
  const fbs::Program *root = fbs::GetProgram(bytes);

  Program program;
  ProgramInfo &info = program.contents;
  info.formatVersion = root->format_version();
  if (info.formatVersion != kProgramFormatVersion)
    return Status::error(path, "unsupported program format version " +
                                   std::to_string(info.formatVersion) +
                                   " (this runtime reads version " +
                                   std::to_string(kProgramFormatVersion) + ")");
  info.modelName = str(root->model_name());
  auto target = static_cast<uint8_t>(root->target());
  if (target > static_cast<uint8_t>(fbs::Target::MAX))
    return Status::error(path,
                         "unknown program target " + std::to_string(target));
  info.target = static_cast<ProgramTarget>(target);
  if (const auto *hypers = root->hypers())
    for (const fbs::Hyper *hyper : *hypers)
      info.hypers.emplace_back(str(hyper->name()), hyper->value());
  if (const fbs::TrainConfig *train = root->train())
    info.train = readTrainConfig(*train);

  std::map<std::string, size_t> bufferIndex;
  if (const auto *buffers = root->buffers()) {
    for (size_t i = 0; i < buffers->size(); ++i) {
      BufferInfo buffer;
      Status status = readBuffer(path, i, *buffers->Get(i), buffer);
      if (!status.isOk())
        return status;
      auto [it, inserted] = bufferIndex.emplace(buffer.name, i);
      if (!inserted)
        return Status::error(path, "buffer " + std::to_string(i) + " ('" +
                                       buffer.name +
                                       "') has the same name as buffer " +
                                       std::to_string(it->second));
      info.buffers.push_back(std::move(buffer));
    }
  }
  if (const auto *kernels = root->kernels()) {
    for (size_t i = 0; i < kernels->size(); ++i) {
      KernelImageInfo kernel;
      Status status = readKernel(path, i, *kernels->Get(i), size, kernel);
      if (!status.isOk())
        return status;
      info.kernels.push_back(std::move(kernel));
    }
  }
  if (const auto *entries = root->entry_points()) {
    for (size_t i = 0; i < entries->size(); ++i) {
      EntryPointInfo entry;
      Status status =
          readEntryPoint(path, i, *entries->Get(i), info.kernels.size(),
                         info.buffers.size(), entry);
      if (!status.isOk())
        return status;
      if (info.findEntryPoint(entry.name))
        return Status::error(path, "entry point '" + entry.name +
                                       "' is declared twice");
      info.entryPoints.push_back(std::move(entry));
    }
  }
  info.sourcePath = str(root->source_path());
  info.source = str(root->source());
  info.options = str(root->options());
  info.compilerVersion = str(root->compiler_version());
  program.file = mapped.take();
  return program;
}
