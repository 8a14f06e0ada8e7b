//===- CudaEmitter.cpp - saek to CUDA -------------------------------------===//
//
// The host side mirrors the C++ emitter: the same storage plan, the arena
// taken from the runtime (cx->arena) instead of a vector, and each op issued
// as a launch, a cuBLASLt GEMM or a copy. The device side gets one kernel
// per linalg.generic whose body the shared ExpressionPrinter prints, in one
// of four shapes:
//
//   no reduction loop        a thread per point of the parallel loops
//   a full reduction         a grid-stride partial per block, then one block
//                            combining the partials into the output
//   a reduction innermost    a warp per output point, the lanes striding
//                            the reduction loops (rows of a matrix)
//   any other reduction      a thread per output point, the reduction loops
//                            serial inside it (sums down columns: adjacent
//                            threads read adjacent columns)
//
// The parallel reductions need a combiner the printer can split: the kernel
// body's result is `acc + f`, `minimumf(acc, f)` or `maximumf(acc, f)` with
// `acc` read nowhere else. Other reductions take the serial shape.
//
//===----------------------------------------------------------------------===//

#include "prism/Target/CudaEmitter.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"
#include "prism/Target/ExpressionPrinter.h"

#include "../Common/EntryPlan.h"
#include "../Common/PreludeCalls.h"
#include "CudaAbiText.inc"
#include "CudaPrelude.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace prism;
using namespace prism::target;

/// The one kernel the runtime launches itself rather than through the host
/// code: the batch gathered from a dataset kept in device memory
/// (Executor::makeResident), a block per row.
static const char kGatherRows[] = R"CUDA(
extern "C" __global__ void prism_gather_rows(const real *table,
                                             const int64_t *rows,
                                             int64_t count, int64_t dim,
                                             real *out) {
  const int64_t r = blockIdx.x;
  if (r >= count)
    return;
  const real *source = table + rows[r] * dim;
  real *target = out + r * dim;
  for (int64_t c = threadIdx.x; c < dim; c += blockDim.x)
    target[c] = source[c];
}
)CUDA";

namespace {

/// A reduction the kernels can split over threads.
struct Combiner {
  const char *identity;
  const char *combine; // a function of two reals
  const char *warp;    // prism_warp_*
  const char *block;   // prism_block_*
};

static const Combiner kAdd = {"(real)0", "prism_add", "prism_warp_add",
                              "prism_block_add"};
static const Combiner kMin = {"(real)INFINITY", "prism_minimum",
                              "prism_warp_min", "prism_block_min"};
static const Combiner kMax = {"(real)(-INFINITY)", "prism_maximum",
                              "prism_warp_max", "prism_block_max"};

/// The launch of one generated kernel: its index among the generated ones,
/// the grid and block, and the argument list (C type, host expression).
struct Launch {
  unsigned kernel;
  std::string grid, block;
  std::vector<std::pair<std::string, std::string>> args;
};

class CudaFunctionEmitter {
public:
  CudaFunctionEmitter(func::FuncOp func, ProgramLayout &layout,
                      raw_ostream &device, raw_ostream &host,
                      std::vector<std::string> &kernelNames)
      : plan(func, layout,
             [](unsigned i) {
               return "((real *)scalars + " + std::to_string(i) + ")";
             }),
        device(device), host(host), kernelNames(kernelNames) {}

  LogicalResult emit();

private:
  LogicalResult emitOp(Operation &op);
  LogicalResult emitGeneric(linalg::GenericOp op);
  LogicalResult emitSliceCopy(Operation *op, const Storage &whole,
                              const Storage &part, bool intoWhole);

  /// Starts a generated kernel: a new name and its index.
  unsigned newKernel(std::string &name);
  void printLaunch(const Launch &launch, const std::string &guard);

  const Storage &storage(Value value) { return plan.storage(value); }
  std::string ptr(Value value) { return storage(value).pointer; }
  std::string elementType(Value value) {
    return storage(value).isIndex ? "int32_t" : "real";
  }

  EntryPlan plan;
  raw_ostream &device, &host;
  std::vector<std::string> &kernelNames;
};

} // namespace

/// The product of C extents as an int64_t expression.
static std::string product(ArrayRef<std::string> extents) {
  std::string text;
  for (const std::string &extent : extents)
    text += (text.empty() ? "" : " * ") + ("(int64_t)" + extent);
  return text.empty() ? "(int64_t)1" : "(" + text + ")";
}

/// Statements that split flat index `flat` over loops `loops` (the last
/// varying fastest) into `i<d>` variables.
static std::string decompose(StringRef flat, ArrayRef<unsigned> loops,
                             ArrayRef<std::string> extents, StringRef indent) {
  std::string text;
  if (loops.empty())
    return text;
  std::string rest = "rest_" + flat.str();
  text += indent.str() + "int64_t " + rest + " = " + flat.str() + ";\n";
  for (size_t i = loops.size(); i-- > 1;) {
    std::string var = "i" + std::to_string(loops[i]);
    text += indent.str() + "[[maybe_unused]] const int64_t " + var + " = " +
            rest + " % (int64_t)" + extents[loops[i]] + ";\n";
    text += indent.str() + rest + " /= (int64_t)" + extents[loops[i]] + ";\n";
  }
  text += indent.str() + "[[maybe_unused]] const int64_t i" +
          std::to_string(loops[0]) + " = " + rest + ";\n";
  return text;
}

unsigned CudaFunctionEmitter::newKernel(std::string &name) {
  unsigned index = kernelNames.size();
  name = plan.entry().symbol + "_k" + std::to_string(index);
  kernelNames.push_back(name);
  return index;
}

void CudaFunctionEmitter::printLaunch(const Launch &launch,
                                      const std::string &guard) {
  host << "  if (" << guard << ") {\n";
  for (auto [i, arg] : llvm::enumerate(launch.args))
    host << "    " << arg.first << " a" << i << " = " << arg.second << ";\n";
  host << "    void *args[] = {";
  for (size_t i = 0; i < launch.args.size(); ++i)
    host << (i ? ", " : "") << "&a" << i;
  host << "};\n";
  host << "    PRISM_CU_CHECK(cx->launch(cx->self, PRISM_NUM_PRELUDE_KERNELS + "
       << launch.kernel << ", " << launch.grid << ", 1, " << launch.block
       << ", 0, args));\n";
  host << "  }\n";
}

/// The combiner of a one-output reduction whose accumulator only it reads.
static const Combiner *splittableCombiner(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return nullptr;
  Block &body = op.getRegion().front();
  BlockArgument acc = body.getArgument(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != &body || !acc.hasOneUse() ||
      *acc.getUsers().begin() != combiner)
    return nullptr;
  if (isa<arith::AddFOp>(combiner))
    return &kAdd;
  if (isa<arith::MinimumFOp>(combiner))
    return &kMin;
  if (isa<arith::MaximumFOp>(combiner))
    return &kMax;
  return nullptr;
}

LogicalResult CudaFunctionEmitter::emitGeneric(linalg::GenericOp op) {
  FailureOr<GenericAccess> access = genericAccess(op, plan, "CUDA");
  if (failed(access))
    return failure();
  const SmallVector<Value> &operands = access->operands;
  const std::vector<std::string> &extents = access->extents;
  const std::vector<std::string> &offsets = access->offsets;
  const std::vector<unsigned> &parallel = access->parallel;
  const std::vector<unsigned> &reduction = access->reduction;
  unsigned numLoops = op.getNumLoops();
  unsigned numInputs = op.getNumDpsInputs();
  unsigned numOutputs = op.getNumDpsInits();
  std::vector<unsigned> all;
  for (unsigned d = 0; d < numLoops; ++d)
    all.push_back(d);
  std::vector<std::string> parallelExtents, reductionExtents;
  for (unsigned d : parallel)
    parallelExtents.push_back(extents[d]);
  for (unsigned d : reduction)
    reductionExtents.push_back(extents[d]);

  const Combiner *combiner =
      reduction.empty() ? nullptr : splittableCombiner(op);
  enum class Shape { Pointwise, FullReduction, WarpPerOutput, Serial };
  Shape shape = Shape::Serial;
  if (reduction.empty())
    shape = Shape::Pointwise;
  else if (combiner && parallel.empty())
    shape = Shape::FullReduction;
  else if (combiner && reduction.back() == numLoops - 1)
    shape = Shape::WarpPerOutput;

  std::string name;
  unsigned kernel = newKernel(name);
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());

  // The signature: inputs, outputs, the batch size (and the partials of a
  // full reduction).
  device << "\n// " << name << ": linalg.generic, " << parallel.size()
         << " parallel and " << reduction.size() << " reduction loops\n";
  device << "extern \"C\" __global__ void " << name << "(";
  Launch launch{kernel, "", "PRISM_BLOCK", {}};
  for (unsigned i = 0; i < numInputs; ++i) {
    std::string type = "const " + elementType(operands[i]) + " *";
    device << type << "in" << i << "_p, ";
    launch.args.push_back({type, ptr(operands[i])});
  }
  for (unsigned o = 0; o < numOutputs; ++o) {
    std::string type = elementType(operands[numInputs + o]) + " *";
    device << type << "out" << o << "_p, ";
    launch.args.push_back({type, ptr(operands[numInputs + o])});
  }
  if (shape == Shape::FullReduction) {
    device << "real *partials, ";
    launch.args.push_back({"real *", "(real *)work"});
  }
  device << "int64_t B) {\n  (void)B;\n";
  launch.args.push_back({"int64_t", "B"});

  ExpressionPrinter printer("e");
  auto loadInputs = [&](StringRef indent) {
    for (unsigned i = 0; i < numInputs; ++i) {
      if (body.getArgument(i).use_empty())
        continue;
      std::string value = "in" + std::to_string(i);
      device << indent << "const real " << value << " = (real)in" << i << "_p["
             << offsets[i] << "];\n";
      printer.bind(body.getArgument(i), value);
    }
  };
  auto printBody = [&](unsigned indent) -> LogicalResult {
    return printer.printBlock(body, device, indent, [](unsigned d) {
      return "i" + std::to_string(d);
    });
  };
  auto out = [&](unsigned o) {
    return "out" + std::to_string(o) + "_p[" + offsets[numInputs + o] + "]";
  };
  std::string outputs = product(parallelExtents);
  std::string stride = "(int64_t)gridDim.x * blockDim.x";
  std::string first = "(int64_t)blockIdx.x * blockDim.x + threadIdx.x";

  switch (shape) {
  case Shape::Pointwise:
  case Shape::Serial: {
    device << "  for (int64_t flat = " << first << "; flat < " << outputs
           << "; flat += " << stride << ") {\n";
    device << decompose("flat", parallel, extents, "    ");
    for (unsigned o = 0; o < numOutputs; ++o) {
      device << "    real acc" << o << " = " << out(o) << ";\n";
      printer.bind(body.getArgument(numInputs + o), "acc" + std::to_string(o));
    }
    std::string indent = "    ";
    for (unsigned d : reduction) {
      device << indent << "for (int64_t i" << d << " = 0; i" << d
             << " < (int64_t)" << extents[d] << "; ++i" << d << ") {\n";
      indent += "  ";
    }
    loadInputs(indent);
    if (failed(printBody(indent.size())))
      return failure();
    for (unsigned o = 0; o < numOutputs; ++o)
      device << indent << "acc" << o << " = "
             << printer.get(yield.getOperand(o)) << ";\n";
    for (size_t i = 0; i < reduction.size(); ++i) {
      indent.resize(indent.size() - 2);
      device << indent << "}\n";
    }
    for (unsigned o = 0; o < numOutputs; ++o)
      device << "    " << out(o) << " = acc" << o << ";\n";
    device << "  }\n}\n";
    launch.grid = "prism_cu_grid(" + outputs + ", PRISM_BLOCK)";
    printLaunch(launch, outputs + " > 0");
    return success();
  }
  case Shape::WarpPerOutput: {
    std::string inner = product(reductionExtents);
    device << "  const int lane = threadIdx.x & 31;\n";
    device << "  for (int64_t flat = (" << first << ") >> 5; flat < " << outputs
           << "; flat += (" << stride << ") >> 5) {\n";
    device << decompose("flat", parallel, extents, "    ");
    device << "    real acc0 = " << combiner->identity << ";\n";
    printer.bind(body.getArgument(numInputs), "acc0");
    device << "    for (int64_t inner = lane; inner < " << inner
           << "; inner += 32) {\n";
    device << decompose("inner", reduction, extents, "      ");
    loadInputs("      ");
    if (failed(printBody(6)))
      return failure();
    device << "      acc0 = " << printer.get(yield.getOperand(0)) << ";\n";
    device << "    }\n";
    device << "    acc0 = " << combiner->warp << "(acc0);\n";
    device << "    if (lane == 0)\n      " << out(0) << " = "
           << combiner->combine << "(" << out(0) << ", acc0);\n";
    device << "  }\n}\n";
    launch.grid = "prism_cu_grid(" + outputs + ", PRISM_BLOCK / 32)";
    printLaunch(launch, outputs + " > 0");
    return success();
  }
  case Shape::FullReduction: {
    std::string total = product(reductionExtents);
    device << "  __shared__ real shared32[32];\n";
    device << "  real acc0 = " << combiner->identity << ";\n";
    printer.bind(body.getArgument(numInputs), "acc0");
    device << "  for (int64_t flat = " << first << "; flat < " << total
           << "; flat += " << stride << ") {\n";
    device << decompose("flat", all, extents, "    ");
    loadInputs("    ");
    if (failed(printBody(4)))
      return failure();
    device << "    acc0 = " << printer.get(yield.getOperand(0)) << ";\n";
    device << "  }\n";
    device << "  acc0 = " << combiner->block << "(acc0, shared32);\n";
    device << "  if (threadIdx.x == 0)\n    partials[blockIdx.x] = acc0;\n";
    device << "}\n";
    // The partials, then the output combined with their total.
    std::string finalName;
    unsigned finalKernel = newKernel(finalName);
    device << "\n// " << finalName << ": the partials of " << name << "\n";
    device << "extern \"C\" __global__ void " << finalName
           << "(real *out0_p, const real *partials, int64_t count) {\n";
    device << "  __shared__ real shared32[32];\n";
    device << "  real acc0 = " << combiner->identity << ";\n";
    device << "  for (int64_t i = threadIdx.x; i < count; i += blockDim.x)\n";
    device << "    acc0 = " << combiner->combine << "(acc0, partials[i]);\n";
    device << "  acc0 = " << combiner->block << "(acc0, shared32);\n";
    device << "  if (threadIdx.x == 0)\n    " << out(0) << " = "
           << combiner->combine << "(" << out(0) << ", acc0);\n";
    device << "}\n";
    std::string blocks = "prism_cu_partials(" + total + ")";
    launch.grid = blocks;
    host << "  // " << name << " and " << finalName << ": a full reduction\n";
    printLaunch(launch, total + " > 0");
    Launch finish{finalKernel, "1", "PRISM_BLOCK", {}};
    finish.args.push_back({"real *", ptr(operands[numInputs])});
    finish.args.push_back({"const real *", "(const real *)work"});
    finish.args.push_back({"int64_t", "(int64_t)" + blocks});
    printLaunch(finish, total + " > 0");
    return success();
  }
  }
  llvm_unreachable("unknown kernel shape");
}

/// A copy between a tensor (`whole`) and a static-offset, unit-stride slice
/// of it (`part`), which may drop axes of size 1: a thread per element of
/// the part.
LogicalResult CudaFunctionEmitter::emitSliceCopy(Operation *op,
                                                 const Storage &whole,
                                                 const Storage &part,
                                                 bool intoWhole) {
  FailureOr<SliceOffsets> at = sliceOffsets(op, whole, part, "CUDA");
  if (failed(at))
    return failure();
  size_t partRank = part.dims.size();
  std::vector<unsigned> loops;
  for (unsigned axis = 0; axis < partRank; ++axis)
    loops.push_back(axis);

  std::string name;
  unsigned kernel = newKernel(name);
  std::string count = product(part.dims);
  device << "\n// " << name << ": a slice copy\n";
  device << "extern \"C\" __global__ void " << name
         << "(real *whole, real *part, int64_t B) {\n  (void)B;\n";
  device << "  for (int64_t flat = (int64_t)blockIdx.x * blockDim.x + "
            "threadIdx.x; flat < "
         << count << "; flat += (int64_t)gridDim.x * blockDim.x) {\n";
  device << decompose("flat", loops, part.dims, "    ");
  std::string wholeAt = "whole[" + at->whole + "]";
  std::string partAt = "part[" + at->part + "]";
  device << "    " << (intoWhole ? wholeAt : partAt) << " = "
         << (intoWhole ? partAt : wholeAt) << ";\n  }\n}\n";
  Launch launch{
      kernel,
      "prism_cu_grid(" + count + ", PRISM_BLOCK)",
      "PRISM_BLOCK",
      {{"real *", whole.pointer}, {"real *", part.pointer}, {"int64_t", "B"}}};
  printLaunch(launch, count + " > 0");
  return success();
}

LogicalResult CudaFunctionEmitter::emitOp(Operation &op) {
  if (plan.isFusedAway(&op))
    return success();
  auto dims = [&](Value value) { return storage(value).dims; };
  for (Value result : op.getResults())
    if (Value init = plan.copiedInit(result))
      host << "  PRISM_CU_CHECK(cx->copy(cx->self, " << ptr(result) << ", "
           << ptr(init) << ", (int64_t)sizeof(real) * " << storage(init).size()
           << "));\n";
  auto call = [&](StringRef launcher, ArrayRef<std::string> args) {
    host << "  PRISM_CU_CHECK(" << launcher << "(cx";
    for (const std::string &arg : args)
      host << ", " << arg;
    host << "));\n";
    return success();
  };
  auto fill = [&](Value result, double value) {
    const Storage &out = storage(result);
    return call("prism_cu_fill", {out.pointer, out.size(),
                                  ExpressionPrinter::formatReal(value)});
  };
  if (std::optional<PreludeCall> prelude = preludeCall(op, plan)) {
    // Batch top-k keeps its radix histograms in the work area.
    if (prelude->name == "batch_topk")
      prelude->args.push_back("work");
    return call("prism_cu_" + prelude->name, prelude->args);
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](tensor::EmptyOp) { return success(); })
      .Case([&](tensor::DimOp) { return success(); })
      .Case([&](arith::ConstantOp constant) -> LogicalResult {
        auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
        if (!dense)
          return success(); // a scalar, printed where used
        if (!dense.isSplat())
          return op.emitOpError("non-splat tensor constants are not "
                                "supported by the CUDA emitter");
        return fill(constant.getResult(),
                    dense.getSplatValue<APFloat>().convertToDouble());
      })
      .Case([&](tensor::ExtractSliceOp slice) {
        return emitSliceCopy(slice, storage(slice.getSource()),
                             storage(slice.getResult()), /*intoWhole=*/false);
      })
      .Case([&](tensor::InsertSliceOp insert) {
        return emitSliceCopy(insert, storage(insert.getResult()),
                             storage(insert.getSource()), /*intoWhole=*/true);
      })
      .Case([&](linalg::GenericOp generic) { return emitGeneric(generic); })
      .Case([&](linalg::FillOp fillOp) -> LogicalResult {
        auto constant =
            fillOp.getInputs()[0].getDefiningOp<arith::ConstantOp>();
        auto attr =
            constant ? dyn_cast<FloatAttr>(constant.getValue()) : FloatAttr();
        if (!attr)
          return op.emitOpError("fills with a value that is not a float "
                                "constant");
        return fill(fillOp.getResult(0), attr.getValueAsDouble());
      })
      .Case([&](saek::GemmOp gemm) {
        std::vector<std::string> a = dims(gemm.getA()), b = dims(gemm.getB());
        std::string m = gemm.getTransposeA() ? a[1] : a[0];
        std::string k = gemm.getTransposeA() ? a[0] : a[1];
        std::string n = gemm.getTransposeB() ? b[0] : b[1];
        host << "  PRISM_CU_CHECK(cx->gemm(cx->self, "
             << (gemm.getTransposeA() ? 1 : 0) << ", "
             << (gemm.getTransposeB() ? 1 : 0) << ", " << m << ", " << n << ", "
             << k << ", " << ptr(gemm.getA()) << ", " << ptr(gemm.getB())
             << ", " << ptr(gemm.getResult()) << ", "
             << (gemm.getBias() ? ptr(gemm.getBias()) : "nullptr") << ", "
             << (gemm.getEpilogue() == saek::Epilogue::BiasRelu ? 1 : 0)
             << "));\n";
        return success();
      })
      .Default([](Operation *op) {
        return op->emitOpError("has no CUDA translation");
      });
}

LogicalResult CudaFunctionEmitter::emit() {
  if (failed(plan.build()))
    return failure();
  ProgramEntry &entry = plan.entry();
  host << "\n// Entry point '" << entry.name << "' of @"
       << plan.function().getSymName() << ".\n";
  host << "extern \"C\" int " << entry.symbol
       << "(const prism_cuda_context *cx, void *const *buffers, const "
          "int64_t *dims, const float *scalars) {\n";
  host << "  const int64_t B = dims[0];\n  (void)B;\n  (void)scalars;\n";
  for (auto [i, scalar] : llvm::enumerate(entry.scalars))
    host << "  // scalars[" << i << "]: " << scalar << "\n";
  plan.printArena(host, [&](const std::string &total) {
    host << "  const int64_t arenaElements = " << total << ";\n";
    host << "  real *arena = (real *)cx->arena(cx->self, "
            "(int64_t)sizeof(real) * arenaElements + PRISM_CU_WORK_BYTES);\n";
    host << "  if (!arena)\n    return PRISM_CU_NO_ARENA;\n";
    host << "  void *work = arena + arenaElements;\n  (void)work;\n";
  });
  Block &body = plan.body();
  for (Operation &op : body.without_terminator())
    if (failed(emitOp(op)))
      return failure();
  FailureOr<std::vector<ReturnTarget>> targets =
      plan.returnTargets(cast<func::ReturnOp>(body.getTerminator()));
  if (failed(targets))
    return failure();
  for (const ReturnTarget &target : *targets)
    if (target.source->pointer != target.pointer)
      host << "  PRISM_CU_CHECK(cx->copy(cx->self, " << target.pointer << ", "
           << target.source->pointer << ", (int64_t)sizeof(real) * "
           << target.source->size() << ")); // " << target.name << "\n";
  host << "  return 0;\n}\n";
  plan.finish();
  return success();
}

LogicalResult target::emitCuda(ModuleOp module, CudaSources &sources,
                               ProgramLayout &layout) {
  std::string device, host;
  llvm::raw_string_ostream deviceStream(device), hostStream(host);
  std::vector<std::string> kernelNames;
  bool any = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr("sae.entry"))
      continue;
    any = true;
    if (failed(CudaFunctionEmitter(func, layout, deviceStream, hostStream,
                                   kernelNames)
                   .emit()))
      return failure();
  }
  if (!any)
    return module.emitError("no entry function (func.func with sae.entry) "
                            "to emit");

  sources.device = "// Generated by prismc: device code. Do not edit.\n"
                   "#include <cstdint>\n#include <cmath>\n"
                   "typedef float real;\n";
  sources.device += getCudaDevicePrelude();
  sources.device += "\n__device__ __forceinline__ real prism_add(real a, "
                    "real b) { return a + b; }\n";
  sources.device += kGatherRows;
  sources.device += device;

  std::string &text = sources.host;
  text = "// Generated by prismc: host code. Do not edit.\n"
         "#include <algorithm>\n#include <cmath>\n#include <cstdint>\n"
         "#include <cstring>\n"
         "typedef float real;\n";
  text += kCudaAbiText;
  text += getCudaHostPrelude();
  text += "\n// What an entry point returns when the runtime has no arena "
          "for it.\n#define PRISM_CU_NO_ARENA 2\n"
          "// The block of the generated kernels (a multiple of 32).\n"
          "#define PRISM_BLOCK 256\n"
          "// Arena slices start on 256-byte boundaries.\n"
          "static inline int64_t prism_pad(int64_t n) {\n"
          "  const int64_t align = 256 / (int64_t)sizeof(real);\n"
          "  return (n + align - 1) / align * align;\n}\n"
          "// Blocks of a grid-stride loop over n items, `per` a block.\n"
          "static inline uint32_t prism_cu_grid(int64_t n, int64_t per) {\n"
          "  return (uint32_t)std::min<int64_t>((n + per - 1) / per, "
          "1 << 20);\n}\n"
          "// Blocks of the first pass of a full reduction: at most 1024 "
          "partials.\n"
          "static inline uint32_t prism_cu_partials(int64_t n) {\n"
          "  return (uint32_t)std::min<int64_t>((n + PRISM_BLOCK - 1) / "
          "PRISM_BLOCK, 1024);\n}\n";
  text += host;
  text += "\nextern \"C\" const int prism_cuda_abi_version = "
          "PRISM_CUDA_ABI_VERSION;\n";
  text += "extern \"C\" const char *const prism_cuda_kernel_names[] = {\n"
          "    PRISM_PRELUDE_KERNEL_NAMES";
  for (const std::string &name : kernelNames)
    text += ",\n    \"" + name + "\"";
  text += "};\n";
  text += "extern \"C\" const int prism_cuda_num_kernels = "
          "PRISM_NUM_PRELUDE_KERNELS + " +
          std::to_string(kernelNames.size()) + ";\n";
  return success();
}
