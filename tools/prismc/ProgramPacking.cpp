//===- ProgramPacking.cpp - Kernel-level modules into programs ------------===//

#include "ProgramPacking.h"
#include "HostCompiler.h"
#include "LayoutJson.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"
#include "prism/runtime/Support.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace prism;
using namespace prism::prismc;
using target::BufferRole;

/// The scalars the runtime passes to `train_step`.
static constexpr llvm::StringLiteral kTrainScalars[] = {
    "lr", "bias_correction1", "bias_correction2"};

static std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

static BufferKind bufferKind(BufferRole role) {
  switch (role) {
  case BufferRole::Parameter:
    return BufferKind::Parameter;
  case BufferRole::OptimizerState:
    return BufferKind::OptimizerState;
  case BufferRole::ModelState:
    return BufferKind::ModelState;
  case BufferRole::Input:
    return BufferKind::Input;
  case BufferRole::Output:
    return BufferKind::Output;
  case BufferRole::Accumulator:
    return BufferKind::Metric;
  }
  llvm_unreachable("unknown buffer role");
}

namespace {

/// Builds a ProgramInfo from the module, the layout and the model.
class Packer {
public:
  Packer(ModuleOp module, target::ProgramLayout &layout)
      : module(module), layout(layout) {}

  FailureOr<ProgramInfo> pack(const ProgramProvenance &from);

private:
  LogicalResult findModel();
  LogicalResult addUnusedParameters();
  LogicalResult addBuffers();
  LogicalResult describeParameter(sae::ParamOp param, BufferInfo &buffer);
  void addTrainConfig();
  LogicalResult checkTrainContract(func::FuncOp step,
                                   const target::ProgramEntry &entry);
  LogicalResult checkAdamBetas(func::FuncOp step);

  /// The index of buffer `name` in the layout, or -1.
  int findBuffer(StringRef name) const {
    for (auto [i, buffer] : llvm::enumerate(layout.buffers))
      if (buffer.name == name)
        return static_cast<int>(i);
    return -1;
  }
  /// The entry function of entry point `name`.
  func::FuncOp entryFunction(StringRef name) {
    for (func::FuncOp func : entries)
      if (func->getAttrOfType<StringAttr>("sae.entry").getValue() == name)
        return func;
    return {};
  }
  /// Where to report a problem with buffer `index`: the first entry function
  /// that touches it, else the model, else the module.
  Location bufferLoc(unsigned index);

  ModuleOp module;
  target::ProgramLayout &layout;
  SmallVector<func::FuncOp> entries;
  sae::ModelOp model;
  sae::TrainOp train;
  ProgramInfo info;
};

} // namespace

Location Packer::bufferLoc(unsigned index) {
  for (const target::ProgramEntry &entry : layout.entries)
    if (llvm::is_contained(entry.reads, index) ||
        llvm::is_contained(entry.writes, index))
      if (func::FuncOp func = entryFunction(entry.name))
        return func.getLoc();
  return model ? model.getLoc() : module.getLoc();
}

/// The model the entry functions name (`sae.model`), else the module's only
/// one; none is fine for a program without parameters.
LogicalResult Packer::findModel() {
  StringAttr name;
  func::FuncOp namer;
  for (func::FuncOp func : entries) {
    auto attr = func->getAttrOfType<StringAttr>("sae.model");
    if (!attr)
      continue;
    if (name && name != attr) {
      InFlightDiagnostic diag = func.emitError("entry function of model @")
                                << attr.getValue() << ", but @"
                                << namer.getSymName() << " is of model @"
                                << name.getValue()
                                << "; a program holds one model";
      diag.attachNote(namer.getLoc()) << "the other entry function";
      return diag;
    }
    name = attr;
    namer = func;
  }
  auto models = module.getOps<sae::ModelOp>();
  if (!name) {
    if (!models.empty() && std::next(models.begin()) == models.end())
      model = *models.begin();
  } else {
    for (sae::ModelOp candidate : models)
      if (candidate.getSymName() == name.getValue())
        model = candidate;
    if (!model)
      return namer.emitError("entry function of model @")
             << name.getValue() << ", but the module has no sae.model @"
             << name.getValue() << " to take the parameters' initialisers from";
  }
  if (!model)
    return success();
  for (sae::TrainOp candidate : module.getOps<sae::TrainOp>())
    if (candidate.getModel() == model.getSymName())
      train = candidate;
  return success();
}

/// A model's parameters that no entry point touches still belong to the
/// program: checkpoints hold them and initialisers may read them.
LogicalResult Packer::addUnusedParameters() {
  if (!model)
    return success();
  for (auto param : model.getBody()->getOps<sae::ParamOp>()) {
    if (findBuffer(param.getName()) >= 0)
      continue;
    RankedTensorType type = param.getResult().getType();
    int index = layout.findOrAdd(
        param.getName().str(), BufferRole::Parameter,
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
    (void)index;
  }
  return success();
}

/// Fills the initialiser and constraint of the buffer of `param`.
LogicalResult Packer::describeParameter(sae::ParamOp param,
                                        BufferInfo &buffer) {
  RankedTensorType type = param.getResult().getType();
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  if (shape != buffer.shape)
    return param.emitError("parameter '")
           << buffer.name << "' is declared " << shapeText(shape)
           << ", but the entry functions use it as " << shapeText(buffer.shape);
  if (!type.getElementType().isF32())
    return param.emitError("parameter '")
           << buffer.name << "' has element type " << type.getElementType()
           << "; programs hold f32 buffers only";

  ParamInit &init = buffer.init;
  switch (param.getInit()) {
  case sae::InitKind::Zeros:
    init.kind = InitKind::None;
    break;
  case sae::InitKind::Constant:
    init.kind = InitKind::Constant;
    init.value = param.getValueAttr().getValueAsDouble();
    break;
  case sae::InitKind::Kaiming:
    init.kind = InitKind::Kaiming;
    break;
  case sae::InitKind::Xavier:
    init.kind = InitKind::Xavier;
    break;
  case sae::InitKind::Normal:
    init.kind = InitKind::Normal;
    if (FloatAttr std = param.getValueAttr())
      init.std = std.getValueAsDouble();
    init.seed = param.getSeed().value_or(0);
    break;
  case sae::InitKind::Mean:
  case sae::InitKind::Median:
    init.kind = param.getInit() == sae::InitKind::Mean ? InitKind::Mean
                                                       : InitKind::Median;
    break;
  case sae::InitKind::Transpose:
    init.kind = InitKind::Transpose;
    break;
  case sae::InitKind::Copy:
    init.kind = InitKind::Copy;
    break;
  }

  if (std::optional<StringRef> source = param.getSource()) {
    init.source = source->str();
    int index = findBuffer(*source);
    bool fromData =
        init.kind == InitKind::Mean || init.kind == InitKind::Median;
    BufferRole wanted = fromData ? BufferRole::Input : BufferRole::Parameter;
    if (index < 0 || layout.buffers[index].role != wanted)
      return param.emitError("the initialiser of '")
             << buffer.name << "' reads "
             << (fromData ? "the input '" : "the parameter '") << *source
             << "', which is not " << (fromData ? "an input" : "a parameter")
             << " of the program's entry points";
    // Mean and Median reduce the data's rows to one: the parameter has the
    // row's size.
    const std::vector<int64_t> &rows = layout.buffers[index].shape;
    if (fromData) {
      int64_t size = 1;
      for (int64_t dim : buffer.shape)
        size *= dim;
      if (rows.size() != 2 || rows[1] != size)
        return param.emitError("the initialiser of '")
               << buffer.name << "' " << shapeText(buffer.shape)
               << " is a statistic of the rows of input '" << *source << "' "
               << shapeText(rows) << ", which are not of its size";
    }
  }

  if (std::optional<sae::Constraint> constraint = param.getConstraint())
    buffer.constraint = *constraint == sae::Constraint::UnitRows
                            ? ParamConstraint::UnitRows
                            : ParamConstraint::UnitCols;
  return success();
}

LogicalResult Packer::addBuffers() {
  for (auto [i, planned] : llvm::enumerate(layout.buffers)) {
    BufferInfo buffer;
    buffer.name = planned.name;
    buffer.kind = bufferKind(planned.role);
    buffer.elementType = ElementType::F32;
    buffer.shape = planned.shape;
    if (planned.role == BufferRole::Parameter) {
      sae::ParamOp param = model ? model.lookupParam(planned.name) : nullptr;
      if (!param) {
        InFlightDiagnostic diag = emitError(bufferLoc(i), "parameter '")
                                  << planned.name << "' has no sae.param";
        if (model)
          diag << " in model @" << model.getSymName();
        else
          diag << " (the module has no sae.model)";
        diag << " to say how it is initialised";
        return diag;
      }
      if (failed(describeParameter(param, buffer)))
        return failure();
    }
    if (planned.role != BufferRole::Input &&
        planned.role != BufferRole::Output &&
        llvm::is_contained(planned.shape, -1))
      return emitError(bufferLoc(i), "buffer '")
             << planned.name << "' (" << bufferKindName(buffer.kind)
             << ") has shape " << shapeText(planned.shape)
             << ": only inputs and outputs may have a batch dimension";
    info.buffers.push_back(std::move(buffer));
  }
  return success();
}

/// The training configuration: `sae.train`, with the runtime's defaults
/// (PyTorch's Adam) for what it leaves out.
void Packer::addTrainConfig() {
  TrainConfig config;
  if (!train) {
    info.train = config;
    return;
  }
  if (std::optional<StringRef> optimizer = train.getStringOption("optimizer"))
    config.optimizer = optimizer->str();
  if (std::optional<StringRef> schedule = train.getStringOption("schedule"))
    config.schedule = schedule->str();
  auto number = [&](StringRef name, double &out) {
    if (std::optional<double> value = train.getNumberOption(name))
      out = *value;
  };
  auto integer = [&](StringRef name, int64_t &out) {
    if (std::optional<int64_t> value = train.getIntegerOption(name))
      out = *value;
  };
  number("lr", config.lr);
  number("eps", config.eps);
  number("weight_decay", config.weightDecay);
  number("min_lr", config.minLr);
  number("warmup_epochs", config.warmupEpochs);
  integer("warmup", config.warmupSteps);
  integer("batch", config.batch);
  integer("steps", config.steps);
  integer("epochs", config.epochs);
  integer("dead_window", config.deadWindow);
  if (std::optional<StringRef> matmul = train.getStringOption("matmul"))
    config.matmul = matmul->str();
  int64_t seed = 0;
  integer("seed", seed);
  config.seed = static_cast<uint64_t>(seed);
  if (auto betas = dyn_cast_or_null<ArrayAttr>(train.getConfig().get("betas")))
    if (betas.size() == 2) {
      auto beta = [](Attribute attr, double fallback) {
        if (auto f = dyn_cast<FloatAttr>(attr))
          return f.getValueAsDouble();
        if (auto i = dyn_cast<IntegerAttr>(attr))
          return static_cast<double>(i.getInt());
        return fallback;
      };
      config.beta1 = beta(betas[0], config.beta1);
      config.beta2 = beta(betas[1], config.beta2);
    }
  info.train = config;
}

/// docs/formats.md, "Program entry points": what `prism train` needs of a
/// program, checked here so that prismc never writes one it rejects.
LogicalResult Packer::checkTrainContract(func::FuncOp step,
                                         const target::ProgramEntry &entry) {
  auto contractError = [&]() {
    return step.emitError("entry point 'train_step': ");
  };
  for (llvm::StringLiteral scalar : kTrainScalars)
    if (!llvm::is_contained(entry.scalars, scalar.str()))
      return contractError()
             << "no argument with sae.scalar = \"" << scalar
             << "\"; the runtime passes lr, bias_correction1 and "
                "bias_correction2 and the step must take all three";
  for (const std::string &scalar : entry.scalars)
    if (!llvm::is_contained(kTrainScalars, scalar))
      return contractError()
             << "the scalar '" << scalar
             << "' is not one the runtime provides (lr, bias_correction1, "
                "bias_correction2)";

  // A buffer of the contract: present, of its role, of a shape `fits`.
  auto need = [&](StringRef name, BufferRole role, StringRef shape,
                  llvm::function_ref<bool(const std::vector<int64_t> &)> fits)
      -> FailureOr<unsigned> {
    int index = findBuffer(name);
    if (index < 0)
      return contractError()
             << "the program has no buffer '" << name << "'; training needs "
             << roleName(role) << " " << name << shape
             << " (docs/formats.md, \"Program entry points\")";
    const target::ProgramBuffer &buffer = layout.buffers[index];
    if (buffer.role != role)
      return contractError()
             << "buffer '" << name << "' is a " << roleName(buffer.role)
             << " buffer; training needs " << roleName(role) << " " << name
             << shape;
    if (!fits(buffer.shape))
      return contractError()
             << "buffer '" << name << "' has shape " << shapeText(buffer.shape)
             << "; training needs " << roleName(role) << " " << name << shape;
    return static_cast<unsigned>(index);
  };
  auto vector = [](const std::vector<int64_t> &shape) {
    return shape.size() == 1 && shape[0] > 0;
  };
  auto scalar = [](const std::vector<int64_t> &shape) {
    return std::all_of(shape.begin(), shape.end(),
                       [](int64_t dim) { return dim == 1; });
  };
  if (failed(need("x", BufferRole::Input, " [-1, d]",
                  [](const std::vector<int64_t> &shape) {
                    return shape.size() == 2 && shape[0] == -1 && shape[1] > 0;
                  })))
    return failure();
  FailureOr<unsigned> fired = need("fired", BufferRole::Output, " [n]", vector);
  if (failed(fired))
    return failure();
  // The runtime writes dead_mask; a step that does not read it (no aux-K)
  // still has the buffer.
  std::vector<int64_t> latents = layout.buffers[*fired].shape;
  if (findBuffer("dead_mask") < 0)
    (void)layout.findOrAdd("dead_mask", BufferRole::ModelState, latents);
  FailureOr<unsigned> mask =
      need("dead_mask", BufferRole::ModelState, " [n]", vector);
  if (failed(mask))
    return failure();
  if (layout.buffers[*mask].shape != latents)
    return contractError() << "buffer 'fired' has shape " << shapeText(latents)
                           << ", but 'dead_mask' has "
                           << shapeText(layout.buffers[*mask].shape)
                           << "; both have one entry per latent";
  for (StringRef name : {"loss", "l0"})
    if (failed(need(name, BufferRole::Output, " []", scalar)))
      return failure();
  return success();
}

/// The runtime computes the bias corrections 1 - beta^t from the program's
/// train configuration; the kernel's moments must decay with the same betas.
LogicalResult Packer::checkAdamBetas(func::FuncOp step) {
  const TrainConfig &config = *info.train;
  WalkResult result = step.walk([&](saek::AdamOp adam) {
    double beta1 = adam.getBeta1().convertToDouble();
    double beta2 = adam.getBeta2().convertToDouble();
    if (beta1 == config.beta1 && beta2 == config.beta2)
      return WalkResult::advance();
    adam.emitError("saek.adam decays its moments with betas (")
        << shortestDecimal(beta1) << ", " << shortestDecimal(beta2)
        << "), but the train configuration says ("
        << shortestDecimal(config.beta1) << ", "
        << shortestDecimal(config.beta2)
        << "), from which the runtime computes the bias corrections";
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

FailureOr<ProgramInfo> Packer::pack(const ProgramProvenance &from) {
  for (func::FuncOp func : module.getOps<func::FuncOp>())
    if (func->hasAttr("sae.entry"))
      entries.push_back(func);
  if (failed(findModel()) || failed(addUnusedParameters()))
    return failure();

  func::FuncOp step = entryFunction("train_step");
  if (step || train)
    addTrainConfig();
  if (step) {
    auto entry = llvm::find_if(layout.entries, [](const auto &entry) {
      return entry.name == "train_step";
    });
    assert(entry != layout.entries.end() && "train_step was not laid out");
    if (failed(checkTrainContract(step, *entry)) ||
        failed(checkAdamBetas(step)))
      return failure();
  }
  if (failed(addBuffers()))
    return failure();

  info.modelName = model ? model.getSymName().str() : std::string();
  info.target = ProgramTarget::Cpu;
  if (model)
    if (DictionaryAttr hyper = model.getHyperAttr())
      for (NamedAttribute entry : hyper) {
        double value = 0;
        if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
          value = f.getValueAsDouble();
        else if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
          value = static_cast<double>(i.getInt());
        info.hypers.emplace_back(entry.getName().str(), value);
      }
  KernelImageInfo image;
  image.target = ProgramTarget::Cpu;
  image.arch = hostArchitecture();
  image.format = "so";
  info.kernels.push_back(image);
  for (const target::ProgramEntry &planned : layout.entries) {
    EntryPointInfo entry;
    entry.name = planned.name;
    entry.kernelImage = 0;
    entry.symbol = planned.symbol;
    entry.scalars = planned.scalars;
    entry.reads.assign(planned.reads.begin(), planned.reads.end());
    entry.writes.assign(planned.writes.begin(), planned.writes.end());
    info.entryPoints.push_back(std::move(entry));
  }
  info.sourcePath = from.sourcePath;
  info.source = from.source;
  info.options = from.options;
  info.compilerVersion = from.compilerVersion;
  return std::move(info);
}

FailureOr<ProgramInfo>
prism::prismc::buildProgramInfo(ModuleOp module, target::ProgramLayout &layout,
                                const ProgramProvenance &from) {
  return Packer(module, layout).pack(from);
}
