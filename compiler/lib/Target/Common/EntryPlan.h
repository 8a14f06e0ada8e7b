//===- EntryPlan.h - Where an entry function's tensors live -----*- C++ -*-===//
//
// The part of emission both back ends share: every tensor value of an entry
// function gets its storage (a program buffer for arguments and updated
// parameters, a slice of one scratch arena for the rest), and the arena's
// slices are packed into slots by lifetime. A linalg op writes into its
// `outs` operand's storage when that operand is a fresh tensor.empty, so a
// chain of kernels allocates once. The emitters then print code over these
// names: `buffers[i]` for program buffers, `sN` for arena slices.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TARGET_COMMON_ENTRYPLAN_H
#define PRISM_TARGET_COMMON_ENTRYPLAN_H

#include "prism/Dialect/Saek/IR/SaekOps.h"
#include "prism/Target/CppEmitter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace prism::target {

/// Where a tensor value lives in the generated code.
struct Storage {
  std::string pointer;           // a `real *` or `int32_t *` expression
  std::vector<std::string> dims; // C expressions, outermost first
  bool isIndex = false;

  /// The element count as a C expression.
  std::string size() const;
};

/// A result an entry function returns, and the program buffer it goes to.
struct ReturnTarget {
  std::string name;    // the buffer's name
  std::string pointer; // `((real *)buffers[i])`
  const Storage *source;
};

class EntryPlan {
public:
  /// `scalarPointer(i)` is the C expression of the i-th scalar argument's
  /// storage (one element).
  EntryPlan(mlir::func::FuncOp func, ProgramLayout &layout,
            std::function<std::string(unsigned)> scalarPointer);

  /// Binds the arguments to their buffers and places every op's results.
  mlir::LogicalResult build();

  ProgramEntry &entry() { return programEntry; }
  mlir::func::FuncOp function() { return func; }
  /// Adds the entry point to the layout, once its code is printed.
  void finish() { layout.entries.push_back(std::move(programEntry)); }
  mlir::Block &body() { return func.getBody().front(); }

  const Storage &storage(mlir::Value value) const {
    auto it = storages.find(value);
    assert(it != storages.end() && "value used before it was placed");
    return it->second;
  }
  /// For a result that starts as a copy of its init: that init.
  mlir::Value copiedInit(mlir::Value result) const {
    return copiedInits.lookup(result);
  }
  /// Ops another op's code covers (see fusedUnitNorm).
  bool isFusedAway(mlir::Operation *op) const { return fusedAway.contains(op); }
  /// An Adam step of a unit-row parameter emitted as one row-by-row kernel:
  /// the unit_norm after it (the projection before it and the unit_norm are
  /// then not emitted on their own), or null.
  mlir::Operation *fusedUnitNorm(mlir::Operation *adam) const {
    auto it = unitRowSteps.find(adam);
    return it == unitRowSteps.end()
               ? nullptr
               : saek::UnitNormOp(it->second).getOperation();
  }

  /// Prints the arena: each slot's offset `oN`, then `acquire(total)`,
  /// which must define `real *arena` holding `total` elements, then each
  /// slice `sN` as a pointer into it.
  void printArena(llvm::raw_ostream &os,
                  llvm::function_ref<void(const std::string &)> acquire);

  /// Lays out the entry's results in the program's buffer table (recording
  /// them as written) and lists where each goes.
  mlir::FailureOr<std::vector<ReturnTarget>>
  returnTargets(mlir::func::ReturnOp op);

private:
  struct ArenaSlice {
    std::string name, elements;
    bool isIndex;
  };

  mlir::LogicalResult bindArguments();
  mlir::LogicalResult assignStorage(mlir::Operation &op);
  Storage allocate(mlir::RankedTensorType type);
  std::vector<std::string> dimsOf(mlir::RankedTensorType type) const;
  void findUnitRowSteps();
  void findUpdatedBuffers();
  bool canWriteInto(mlir::Operation &op, mlir::BlockArgument arg) const;
  std::vector<unsigned> planSlots(std::vector<const ArenaSlice *> &slots);

  mlir::func::FuncOp func;
  ProgramLayout &layout;
  std::function<std::string(unsigned)> scalarPointer;
  ProgramEntry programEntry;
  llvm::DenseMap<mlir::Value, Storage> storages;
  std::vector<ArenaSlice> arenaSlices;
  llvm::DenseMap<mlir::Value, mlir::Value> copiedInits;
  // Results the entry returns into the buffer of one of its arguments
  // (updated parameters and state), keyed by the result.
  llvm::DenseMap<mlir::Value, mlir::BlockArgument> returnedInto;
  llvm::DenseMap<mlir::Operation *, saek::UnitNormOp> unitRowSteps;
  llvm::DenseSet<mlir::Operation *> fusedAway;
};

/// A copy between a tensor and a slice of it (tensor.extract_slice or
/// insert_slice, static offsets, unit strides, axes of size 1 possibly
/// dropped): the flat offsets of an element in each, as C expressions of the
/// slice's loop variables i0, i1, ... `emitter` names the back end in the
/// error for any other slice.
struct SliceOffsets {
  std::string whole, part;
};
mlir::FailureOr<SliceOffsets> sliceOffsets(mlir::Operation *op,
                                           const Storage &whole,
                                           const Storage &part,
                                           llvm::StringRef emitter);

/// What both emitters need to print a linalg.generic: its operands (the
/// inputs, then the results, whose storage holds the inits), each loop's
/// extent (from the first operand indexed by it), each operand's element
/// offset as a C expression of the loop variables i0, i1, ..., and the loops
/// by iterator type. `emitter` names the back end in errors.
struct GenericAccess {
  llvm::SmallVector<mlir::Value> operands;
  std::vector<std::string> extents, offsets;
  std::vector<unsigned> parallel, reduction;
};
mlir::FailureOr<GenericAccess> genericAccess(mlir::linalg::GenericOp op,
                                             const EntryPlan &plan,
                                             llvm::StringRef emitter);

/// The program-table shape of a tensor type: -1 for a dynamic dimension.
std::vector<int64_t> schemaShape(mlir::RankedTensorType type);

/// The exported C symbol of entry point `name` (dots become underscores).
std::string entrySymbol(llvm::StringRef name);

} // namespace prism::target

#endif // PRISM_TARGET_COMMON_ENTRYPLAN_H
