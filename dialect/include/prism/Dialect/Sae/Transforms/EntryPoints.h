//===- EntryPoints.h - the entry-point function contract --------*- C++ -*-===//
//
// The names the sae training passes give their functions, arguments and
// results, which the back end reads: `@M.forward`, `@M.grad`,
// `@M.train_step`, tagged with string attributes. docs/dialects/sae.md
// ("Entry-point functions") spells out the order and meaning. The helpers
// below build such a function and look its pieces up by tag.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_TRANSFORMS_ENTRYPOINTS_H
#define PRISM_DIALECT_SAE_TRANSFORMS_ENTRYPOINTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace prism::sae::entry {

// Function attributes: the model a function was built from, and which
// entry point it is.
inline constexpr llvm::StringLiteral kModelAttr = "sae.model";
inline constexpr llvm::StringLiteral kEntryAttr = "sae.entry";
inline constexpr llvm::StringLiteral kForward = "forward";
inline constexpr llvm::StringLiteral kEncode = "encode";
inline constexpr llvm::StringLiteral kReconstruct = "reconstruct";
inline constexpr llvm::StringLiteral kGrad = "grad";
inline constexpr llvm::StringLiteral kTrainStep = "train_step";
/// The inference forward of a model with batch-level selections: every
/// `sae.batchtopk` becomes a threshold (docs/lowering.md, "BatchTopK at
/// inference").
inline constexpr llvm::StringLiteral kInfer = "infer";

// Argument attributes, each holding a name.
inline constexpr llvm::StringLiteral kInputAttr = "sae.input";
inline constexpr llvm::StringLiteral kParamAttr = "sae.param";
inline constexpr llvm::StringLiteral kStateAttr = "sae.state";
inline constexpr llvm::StringLiteral kScalarAttr = "sae.scalar";
// Argument and result: a metrics accumulator, read and written back.
inline constexpr llvm::StringLiteral kAccumulatorAttr = "sae.accumulator";

// Result attributes, each holding a name.
inline constexpr llvm::StringLiteral kOutputAttr = "sae.output";
inline constexpr llvm::StringLiteral kGradAttr = "sae.grad";
inline constexpr llvm::StringLiteral kParamOutAttr = "sae.param_out";
inline constexpr llvm::StringLiteral kStateOutAttr = "sae.state_out";

// The discardable attribute of a `sae.batchtopk` in an entry function: the
// name of the ModelState that holds its inference threshold.
inline constexpr llvm::StringLiteral kThresholdAttr = "sae.threshold";

// Names of outputs, state and scalars.
inline constexpr llvm::StringLiteral kLoss = "loss";
inline constexpr llvm::StringLiteral kDeadMask = "dead_mask";
inline constexpr llvm::StringLiteral kLr = "lr";
inline constexpr llvm::StringLiteral kBiasCorrection1 = "bias_correction1";
inline constexpr llvm::StringLiteral kBiasCorrection2 = "bias_correction2";

/// The threshold state of the `index`-th `sae.batchtopk` of a model (in
/// body order): "batchtopk.theta", then "batchtopk.theta.1", ... (dotted, so
/// that no parameter or input of the language can take the name).
std::string thresholdName(unsigned index);

/// "NAME.min_kept": the training-step output that samples threshold NAME.
std::string minKeptName(llvm::StringRef threshold);

/// `M.entry`, the symbol of entry point `entry` of model `M`.
std::string symbolName(llvm::StringRef model, llvm::StringRef entry);

/// `adam.m.W` / `adam.v.W`: the state name of Adam moment `moment` ("m" or
/// "v") of parameter `param`.
std::string adamMomentName(llvm::StringRef moment, llvm::StringRef param);

/// The entry kind of `func` (`sae.entry`), or "" for any other function.
llvm::StringRef entryKind(mlir::func::FuncOp func);

/// The name `attr` tags argument / result `index` with, or "".
llvm::StringRef argumentTag(mlir::func::FuncOp func, unsigned index,
                            llvm::StringRef attr);
llvm::StringRef resultTag(mlir::func::FuncOp func, unsigned index,
                          llvm::StringRef attr);

/// A `{attr = "name"}` dictionary, the tag of one argument or result.
mlir::DictionaryAttr tag(mlir::MLIRContext *context, llvm::StringRef attr,
                         llvm::StringRef name);

/// One argument of an entry function.
struct Argument {
  mlir::Type type;
  mlir::DictionaryAttr attrs;
  mlir::Location loc;
};

/// The arguments of `func` (types, attributes, locations), to give another
/// entry function the same ones.
llvm::SmallVector<Argument> argumentsOf(mlir::func::FuncOp func);

/// Creates `func.func @M.entry` with `arguments`, no results and an empty
/// entry block, tagged with `sae.model` and `sae.entry`, right after
/// `after`. Fails (with an error at `after`) when the symbol is taken.
mlir::FailureOr<mlir::func::FuncOp>
createEntry(mlir::Operation *after, llvm::StringRef model,
            llvm::StringRef entry, llvm::ArrayRef<Argument> arguments);

/// Clones the body of `source` (one block) into the entry block of `into`,
/// reading `source`'s arguments as the first arguments of `into`, and
/// returns what `source` returns, as the clones compute it.
llvm::SmallVector<mlir::Value> cloneBody(mlir::func::FuncOp source,
                                         mlir::func::FuncOp into);

/// Ends `func`'s body with a return of `results`, and gives the function its
/// result types and the result attributes `attrs` (one per result).
void finishEntry(mlir::func::FuncOp func, mlir::ValueRange results,
                 llvm::ArrayRef<mlir::DictionaryAttr> attrs);

/// Merges duplicate pure ops of `func` (CSE) and erases the unused ones,
/// such as the gradients rules built for operands that needed none.
void cleanUp(mlir::func::FuncOp func);

} // namespace prism::sae::entry

#endif // PRISM_DIALECT_SAE_TRANSFORMS_ENTRYPOINTS_H
