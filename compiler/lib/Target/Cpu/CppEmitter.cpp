//===- CppEmitter.cpp - saek to C++ with OpenMP ---------------------------===//
//
// Emission runs in two passes per entry function: the first gives every
// tensor value its storage (a program buffer for arguments, a slice of one
// scratch arena for the rest), the second prints one loop nest or prelude
// call per op. A linalg op writes into its `outs` operand's storage when
// that operand is a fresh tensor.empty, so a chain of kernels allocates once.
//
//===----------------------------------------------------------------------===//

#include "prism/Target/CppEmitter.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"
#include "prism/Target/ExpressionPrinter.h"

#include "../Common/EntryPlan.h"
#include "../Common/PreludeCalls.h"
#include "CpuPrelude.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace prism;
using namespace prism::target;

namespace {

class FunctionEmitter {
public:
  FunctionEmitter(func::FuncOp func, ProgramLayout &layout, raw_ostream &os)
      : plan(func, layout,
             [](unsigned i) { return "(&scalar_" + std::to_string(i) + ")"; }),
        os(os) {}

  LogicalResult emit();

private:
  LogicalResult emitOp(Operation &op);
  LogicalResult emitGeneric(linalg::GenericOp op);
  LogicalResult emitFill(linalg::FillOp op);
  LogicalResult emitSliceCopy(Operation *op, const Storage &whole,
                              const Storage &part, bool intoWhole);

  const Storage &storage(Value value) { return plan.storage(value); }
  std::string real(Value value) { return storage(value).pointer; }

  EntryPlan plan;
  raw_ostream &os;
  unsigned nextKernel = 0;
};

} // namespace

LogicalResult FunctionEmitter::emitGeneric(linalg::GenericOp op) {
  FailureOr<GenericAccess> access = genericAccess(op, plan, "C++");
  if (failed(access))
    return failure();
  const SmallVector<Value> &operands = access->operands;
  const std::vector<std::string> &extents = access->extents;
  const std::vector<std::string> &offsets = access->offsets;
  const std::vector<unsigned> &parallel = access->parallel;
  const std::vector<unsigned> &reduction = access->reduction;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  ExpressionPrinter printer("e");
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  unsigned numInputs = op.getNumDpsInputs();

  std::vector<std::string> outPointers;
  for (Value result : op.getResults())
    outPointers.push_back(real(result));

  os << "  // kernel " << nextKernel++ << ": linalg.generic, "
     << parallel.size() << " parallel and " << reduction.size()
     << " reduction loops\n";
  unsigned indent = 2;
  auto line = [&]() -> raw_ostream & { return os.indent(indent); };
  auto loopVar = [](unsigned d) { return "i" + std::to_string(d); };
  auto openLoop = [&](unsigned d) {
    line() << "for (int64_t " << loopVar(d) << " = 0; " << loopVar(d)
           << " < (int64_t)" << extents[d] << "; ++" << loopVar(d) << ") {\n";
    indent += 2;
  };
  auto closeLoop = [&]() {
    indent -= 2;
    line() << "}\n";
  };

  // A full reduction into one scalar accumulates per thread with an OpenMP
  // reduction when its combiner is a plain sum, a minimum or a maximum (the
  // prelude declares the last two with the printer's NaN rule).
  const char *ompReduction = nullptr;
  if (parallel.empty() && op.getNumDpsInits() == 1) {
    Operation *combiner = yield.getOperand(0).getDefiningOp();
    if (combiner && combiner->getBlock() == &body &&
        llvm::is_contained(combiner->getOperands(),
                           body.getArgument(numInputs)))
      ompReduction = isa<arith::AddFOp>(combiner)       ? "+"
                     : isa<arith::MinimumFOp>(combiner) ? "prism_min"
                     : isa<arith::MaximumFOp>(combiner) ? "prism_max"
                                                        : nullptr;
  }

  // A sum over rows into one value per column (a bias gradient) would read
  // its input down columns, a stride of a row per element. Instead each
  // thread takes a range of columns and walks the rows outside, the columns
  // inside: contiguous reads, and each output element still sums its
  // entries in the same order.
  bool columnSweep = parallel.size() == 1 && !reduction.empty() &&
                     llvm::all_of(maps, [&](AffineMap map) {
                       if (map.getResults().empty())
                         return true; // a scalar
                       auto last =
                           dyn_cast<AffineDimExpr>(map.getResults().back());
                       return last && last.getPosition() == parallel.front();
                     });
  if (columnSweep) {
    unsigned d = parallel.front();
    line() << "#pragma omp parallel\n";
    line() << "{\n";
    indent += 2;
    line() << "int64_t lo, hi;\n";
    line() << "prism_thread_share((int64_t)" << extents[d] << ", lo, hi);\n";
    for (unsigned r : reduction)
      openLoop(r);
    line() << "for (int64_t " << loopVar(d) << " = lo; " << loopVar(d)
           << " < hi; ++" << loopVar(d) << ") {\n";
    indent += 2;
  } else if (!parallel.empty()) {
    line() << "#pragma omp parallel for\n";
    for (unsigned d : parallel)
      openLoop(d);
  } else {
    line() << "{\n";
    indent += 2;
  }
  // Accumulators start from the outputs' current values.
  for (unsigned o = 0; o < op.getNumDpsInits(); ++o) {
    line() << "real acc" << o << " = " << outPointers[o] << "["
           << offsets[numInputs + o] << "];\n";
    printer.bind(body.getArgument(numInputs + o), "acc" + std::to_string(o));
  }
  if (ompReduction)
    line() << "#pragma omp parallel for reduction(" << ompReduction
           << " : acc0)\n";
  if (!columnSweep)
    for (unsigned d : reduction)
      openLoop(d);
  for (unsigned i = 0; i < numInputs; ++i) {
    Value input = operands[i];
    std::string name = "in" + std::to_string(i);
    if (body.getArgument(i).use_empty())
      continue;
    line() << "const real " << name << " = " << real(input) << "[" << offsets[i]
           << "];\n";
    printer.bind(body.getArgument(i), name);
  }
  if (failed(printer.printBlock(body, os, indent, loopVar)))
    return failure();
  for (unsigned o = 0; o < op.getNumDpsInits(); ++o)
    line() << "acc" << o << " = " << printer.get(yield.getOperand(o)) << ";\n";
  if (columnSweep) {
    for (unsigned o = 0; o < op.getNumDpsInits(); ++o)
      line() << outPointers[o] << "[" << offsets[numInputs + o] << "] = acc"
             << o << ";\n";
    closeLoop(); // the columns
    for (size_t i = 0; i < reduction.size(); ++i)
      closeLoop();
    closeLoop(); // the parallel region
    return success();
  }
  for (size_t i = 0; i < reduction.size(); ++i)
    closeLoop();
  for (unsigned o = 0; o < op.getNumDpsInits(); ++o)
    line() << outPointers[o] << "[" << offsets[numInputs + o] << "] = acc" << o
           << ";\n";
  if (!parallel.empty()) {
    for (size_t i = 0; i < parallel.size(); ++i)
      closeLoop();
  } else {
    indent -= 2;
    line() << "}\n";
  }
  return success();
}

LogicalResult FunctionEmitter::emitFill(linalg::FillOp op) {
  Value value = op.getInputs()[0];
  std::string scalar;
  if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
    auto attr = dyn_cast<FloatAttr>(constant.getValue());
    if (!attr)
      return op.emitOpError("fills with a non-float constant");
    scalar = ExpressionPrinter::formatReal(attr.getValueAsDouble());
  } else {
    return op.emitOpError("fills with a value that is not a constant");
  }
  const Storage &out = storage(op.getResult(0));
  os << "  std::fill(" << out.pointer << ", " << out.pointer << " + "
     << out.size() << ", " << scalar << ");\n";
  return success();
}

/// Copies between a tensor (`whole`) and a static-offset, unit-stride slice
/// of it (`part`), which may drop axes of size 1.
LogicalResult FunctionEmitter::emitSliceCopy(Operation *op,
                                             const Storage &whole,
                                             const Storage &part,
                                             bool intoWhole) {
  FailureOr<SliceOffsets> at = sliceOffsets(op, whole, part, "C++");
  if (failed(at))
    return failure();
  size_t partRank = part.dims.size();
  os << "  // slice copy\n";
  if (partRank > 0)
    os << "  #pragma omp parallel for\n";
  std::string indent = "  ";
  for (size_t axis = 0; axis < partRank; ++axis) {
    std::string var = "i" + std::to_string(axis);
    os << indent << "for (int64_t " << var << " = 0; " << var << " < (int64_t)"
       << part.dims[axis] << "; ++" << var << ")\n";
    indent += "  ";
  }
  std::string wholeAt = whole.pointer + "[" + at->whole + "]";
  std::string partAt = part.pointer + "[" + at->part + "]";
  os << indent << (intoWhole ? wholeAt : partAt) << " = "
     << (intoWhole ? partAt : wholeAt) << ";\n";
  return success();
}

LogicalResult FunctionEmitter::emitOp(Operation &op) {
  if (plan.isFusedAway(&op))
    return success();
  auto dims = [&](Value value) { return storage(value).dims; };
  for (Value result : op.getResults())
    if (Value init = plan.copiedInit(result))
      os << "  std::memcpy(" << real(result) << ", " << real(init)
         << ", sizeof(real) * " << storage(init).size() << ");\n";
  if (std::optional<PreludeCall> call = preludeCall(op, plan)) {
    os << "  prism_" << call->name << "(";
    for (auto [i, arg] : llvm::enumerate(call->args))
      os << (i ? ", " : "") << (call->scalarPointer[i] ? "*" : "") << arg;
    os << ");\n";
    return success();
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
                                "supported by the C++ emitter");
        const Storage &out = storage(constant.getResult());
        os << "  std::fill(" << out.pointer << ", " << out.pointer << " + "
           << out.size() << ", "
           << ExpressionPrinter::formatReal(
                  dense.getSplatValue<APFloat>().convertToDouble())
           << ");\n";
        return success();
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
      .Case([&](linalg::FillOp fill) { return emitFill(fill); })
      .Case([&](saek::GemmOp gemm) -> LogicalResult {
        std::vector<std::string> a = dims(gemm.getA()), b = dims(gemm.getB());
        std::string m = gemm.getTransposeA() ? a[1] : a[0];
        std::string k = gemm.getTransposeA() ? a[0] : a[1];
        std::string n = gemm.getTransposeB() ? b[0] : b[1];
        os << "  prism_gemm(" << (gemm.getTransposeA() ? "true" : "false")
           << ", " << (gemm.getTransposeB() ? "true" : "false") << ", " << m
           << ", " << n << ", " << k << ", " << real(gemm.getA()) << ", "
           << real(gemm.getB()) << ", " << real(gemm.getResult()) << ", "
           << (gemm.getBias() ? real(gemm.getBias()) : "nullptr") << ", "
           << (gemm.getEpilogue() == saek::Epilogue::BiasRelu ? "true"
                                                              : "false")
           << ");\n";
        return success();
      })
      .Default([](Operation *op) {
        return op->emitOpError("has no C++ translation");
      });
}

LogicalResult FunctionEmitter::emit() {
  if (failed(plan.build()))
    return failure();
  ProgramEntry &entry = plan.entry();
  os << "\n// Entry point '" << entry.name << "' of @"
     << plan.function().getSymName() << ".\n";
  os << "extern \"C\" int " << entry.symbol
     << "(void *const *buffers, const int64_t *dims, const float *scalars) "
        "{\n";
  os << "  const int64_t B = dims[0];\n  (void)B;\n  (void)scalars;\n";
  for (size_t i = 0; i < entry.scalars.size(); ++i)
    os << "  real scalar_" << i << " = (real)scalars[" << i << "]; // "
       << entry.scalars[i] << "\n";
  os << "  static thread_local std::vector<real> arenaStorage;\n";
  plan.printArena(os, [&](const std::string &total) {
    os << "  arenaStorage.resize(" << total << ");\n";
    os << "  real *arena = arenaStorage.data();\n  (void)arena;\n";
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
      os << "  std::memcpy(" << target.pointer << ", " << target.source->pointer
         << ", sizeof(real) * " << target.source->size() << "); // "
         << target.name << "\n";
  os << "  return 0;\n}\n";
  plan.finish();
  return success();
}

LogicalResult target::emitCpp(ModuleOp module, raw_ostream &os,
                              ProgramLayout &layout) {
  os << "// Generated by prismc. Do not edit.\n" << getCpuPrelude();
  os << "\n// Arena slices start on 64-byte boundaries.\n"
        "static inline int64_t prism_pad(int64_t n) {\n"
        "  const int64_t align = 64 / (int64_t)sizeof(real);\n"
        "  return (n + align - 1) / align * align;\n}\n";
  bool any = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr("sae.entry"))
      continue;
    any = true;
    if (failed(FunctionEmitter(func, layout, os).emit()))
      return failure();
  }
  if (!any)
    return module.emitError("no entry function (func.func with sae.entry) "
                            "to emit");
  return success();
}
