//===- LowerModality.cpp - modality filters and the distance encoder ------===//
//
// The rows of one modality are kept in place, masked: `e | image` is e with
// the other rows zeroed, its adjoint the same mask, `by_modality` a per-row
// select. That equals compaction as long as nothing turns a zeroed row
// non-zero before a batch reduction, which checkRowLocalUses enforces, and
// sizes of filtered values count the rows of their modality. The runtime
// passes the modality of every batch row in the input buffer `modality`
// (1.0 image, 2.0 text, 0.0 unspecified: runtime Modality codes).
//
// `sae.dist` expands to ‖a‖² + ‖b‖² − 2 a·bᵀ through one GEMM.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilders.h"
#include "Lowerings.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace prism::conversion;
namespace sae = prism::sae;

namespace {

/// The runtime's code for a modality in the `modality` buffer.
double modalityCode(sae::Modality modality) {
  return modality == sae::Modality::Image ? 1.0 : 2.0;
}

/// The entry function's `modality` input.
Value modalityArgument(Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  for (BlockArgument arg : func.getArguments())
    if (auto name =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "sae.input");
        name && name.getValue() == kModalityInput)
      return arg;
  return {};
}

/// The modality whose rows `value` keeps (zero elsewhere), if it is a
/// filtered value or row-local arithmetic of filtered values.
std::optional<sae::Modality> filteredModality(Value value) {
  Operation *op = value.getDefiningOp();
  if (auto filter = dyn_cast_or_null<sae::FilterOp>(op))
    return filter.getModality();
  if (isa_and_nonnull<sae::AddOp, sae::SubOp>(op)) {
    std::optional<sae::Modality> lhs = filteredModality(op->getOperand(0));
    std::optional<sae::Modality> rhs = filteredModality(op->getOperand(1));
    return lhs == rhs ? lhs : std::nullopt;
  }
  if (isa_and_nonnull<sae::MulOp>(op)) {
    std::optional<sae::Modality> lhs = filteredModality(op->getOperand(0));
    return lhs ? lhs : filteredModality(op->getOperand(1));
  }
  if (auto reduce = dyn_cast_or_null<sae::ReduceOp>(op);
      reduce && reduce.getAxis() && *reduce.getAxis() > 0)
    return filteredModality(reduce.getInput());
  if (auto neg = dyn_cast_or_null<sae::NegOp>(op))
    return filteredModality(neg.getInput());
  return std::nullopt;
}

/// `value · (modality == code)` broadcast along the rows.
Value maskRows(OpBuilder &builder, Location loc, Value value,
               sae::Modality modality, Operation *at) {
  auto type = cast<RankedTensorType>(value.getType());
  MLIRContext *context = builder.getContext();
  AffineMap rowMap = AffineMap::get(type.getRank(), 0,
                                    {getAffineDimExpr(0, context)}, context);
  double code = modalityCode(modality);
  return buildMapped(
      builder, loc, type, {value, modalityArgument(at)},
      {AffineMap::getMultiDimIdentityMap(type.getRank(), context), rowMap},
      batchSize(builder, at),
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value match =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, args[1],
                                  floatConstant(b, l, args[1].getType(), code));
        return arith::SelectOp::create(
            b, l, match, args[0], floatConstant(b, l, args[0].getType(), 0.0));
      });
}

template <typename OpTy> struct LowerRowMask : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!modalityArgument(op))
      return rewriter.notifyMatchFailure(op, "no modality input");
    rewriter.replaceOp(op, maskRows(rewriter, op.getLoc(), op.getInput(),
                                    op.getModality(), op));
    return success();
  }
};

struct LowerSelectModality : OpRewritePattern<sae::SelectModalityOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::SelectModalityOp op,
                                PatternRewriter &rewriter) const override {
    Value modality = modalityArgument(op);
    if (!modality)
      return rewriter.notifyMatchFailure(op, "no modality input");
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *context = rewriter.getContext();
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(type.getRank(), context);
    AffineMap rowMap = AffineMap::get(type.getRank(), 0,
                                      {getAffineDimExpr(0, context)}, context);
    double image = modalityCode(sae::Modality::Image);
    rewriter.replaceOp(
        op,
        buildMapped(rewriter, op.getLoc(), type,
                    {op.getImage(), op.getText(), modality},
                    {identity, identity, rowMap}, batchSize(rewriter, op),
                    [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                      Value isImage = arith::CmpFOp::create(
                          b, l, arith::CmpFPredicate::OEQ, args[2],
                          floatConstant(b, l, args[2].getType(), image));
                      return arith::SelectOp::create(b, l, isImage, args[0],
                                                     args[1]);
                    }));
    return success();
  }
};

/// The size of a filtered value: its modality's rows times the rest.
struct LowerFilteredSize : OpRewritePattern<sae::SizeOp> {
  LowerFilteredSize(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(sae::SizeOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<sae::Modality> modality = filteredModality(op.getInput());
    if (!modality || (op.getAxis() && *op.getAxis() != 0))
      return failure();
    Value rows = modalityArgument(op);
    if (!rows)
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    double perRow = 1.0;
    if (!op.getAxis())
      for (int64_t i = 1; i < type.getRank(); ++i)
        perRow *= static_cast<double>(type.getDimSize(i));
    Location loc = op.getLoc();
    auto scalar = RankedTensorType::get({}, type.getElementType());
    double code = modalityCode(*modality);
    Value count = buildReduction(
        rewriter, loc, rows, scalar,
        AffineMap::get(1, 0, {}, rewriter.getContext()),
        batchSize(rewriter, op), 0.0,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value match = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, args[0],
              floatConstant(b, l, args[0].getType(), code));
          Value add = arith::SelectOp::create(
              b, l, match, floatConstant(b, l, args[0].getType(), perRow),
              floatConstant(b, l, args[0].getType(), 0.0));
          return arith::AddFOp::create(b, l, args[1], add);
        });
    rewriter.replaceOp(op, count);
    return success();
  }
};

/// dist(a, b) = sqrt(max(‖a_i‖² + ‖b_j‖² − 2 a_i·b_j, 0)).
struct DecomposeDist : OpRewritePattern<sae::DistOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::DistOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    auto squaredNorms = [&](Value rows) {
      Value squares = sae::MulOp::create(rewriter, loc, rows, rows);
      return sae::ReduceOp::create(rewriter, loc, sae::ReduceKind::Sum, squares,
                                   int64_t(1));
    };
    Value dots = sae::MatmulOp::create(
        rewriter, loc, a, sae::TransposeOp::create(rewriter, loc, b));
    Value rowsA = sae::BroadcastOp::create(rewriter, loc, squaredNorms(a), dots,
                                           int64_t(1));
    Value sum = sae::AddOp::create(rewriter, loc, rowsA, squaredNorms(b));
    Value two = scalarTensor(
        rewriter, loc, cast<RankedTensorType>(dots.getType()).getElementType(),
        2.0);
    Value squared = sae::SubOp::create(
        rewriter, loc, sum, sae::MulOp::create(rewriter, loc, two, dots));
    Value clamped = sae::ReluOp::create(rewriter, loc, squared);
    rewriter.replaceOpWithNewOp<sae::SqrtOp>(op, clamped);
    return success();
  }
};

/// Whether `use` keeps the zero rows of a filtered value zero (or reduces
/// them away correctly).
bool isRowLocalUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<sae::MulOp, sae::NegOp, sae::UnfilterOp, sae::SizeOp, sae::FilterOp,
          func::ReturnOp>(user))
    return true;
  // A zero row adds nothing to a sum, a count or a norm; a mean or a
  // maximum within each row leaves it zero.
  if (auto reduce = dyn_cast<sae::ReduceOp>(user))
    return reduce.getKind() == sae::ReduceKind::Sum ||
           reduce.getKind() == sae::ReduceKind::Count ||
           reduce.getKind() == sae::ReduceKind::Norm ||
           (reduce.getAxis() && *reduce.getAxis() > 0);
  if (isa<sae::AddOp, sae::SubOp, sae::MseOp>(user)) {
    std::optional<sae::Modality> own = filteredModality(use.get());
    return llvm::all_of(user->getOperands(), [&](Value operand) {
      return filteredModality(operand) == own;
    });
  }
  return false;
}

} // namespace

LogicalResult prism::conversion::prepareModalityRows(func::FuncOp func) {
  bool usesModality = false;
  WalkResult walk = func.walk([&](Operation *op) {
    if (!isa<sae::FilterOp, sae::UnfilterOp, sae::SelectModalityOp>(op))
      return WalkResult::advance();
    usesModality = true;
    if (!isa<sae::FilterOp>(op))
      return WalkResult::advance();
    // Every value computed from the filtered rows must keep the others 0.
    SmallVector<Value> pending = {op->getResult(0)};
    while (!pending.empty()) {
      Value value = pending.pop_back_val();
      for (OpOperand &use : value.getUses()) {
        if (!isRowLocalUse(use)) {
          use.getOwner()->emitError("'")
              << use.getOwner()->getName()
              << "' reads rows filtered by modality in a way the kernels do "
                 "not lower yet (only row-local arithmetic of rows of one "
                 "modality, sums, counts, mse and size)";
          return WalkResult::interrupt();
        }
        if (isa<sae::AddOp, sae::SubOp, sae::MulOp, sae::NegOp>(
                use.getOwner()) ||
            filteredModality(use.getOwner()->getResult(0)))
          pending.push_back(use.getOwner()->getResult(0));
      }
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  if (!usesModality || modalityArgument(&func.getBody().front().front()))
    return success();
  unsigned index = 0;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), "sae.input"))
      index = arg.getArgNumber() + 1;
  MLIRContext *context = func.getContext();
  auto type =
      RankedTensorType::get({ShapedType::kDynamic}, Float32Type::get(context));
  auto attrs = DictionaryAttr::get(
      context, {NamedAttribute(StringAttr::get(context, "sae.input"),
                               StringAttr::get(context, kModalityInput))});
  return func.insertArgument(index, type, attrs, func.getLoc());
}

void prism::conversion::populateModalityPreparation(
    RewritePatternSet &patterns) {
  patterns.add<LowerFilteredSize, DecomposeDist>(patterns.getContext());
}

void prism::conversion::populateModalityLowerings(RewritePatternSet &patterns) {
  patterns.add<LowerRowMask<sae::FilterOp>, LowerRowMask<sae::UnfilterOp>,
               LowerSelectModality>(patterns.getContext());
}
