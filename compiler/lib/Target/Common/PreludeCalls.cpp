//===- PreludeCalls.cpp - saek ops as calls of a prelude kernel -----------===//

#include "PreludeCalls.h"
#include "prism/Target/ExpressionPrinter.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace prism;
using namespace prism::target;

std::optional<PreludeCall> target::preludeCall(Operation &op,
                                               const EntryPlan &plan) {
  PreludeCall call;
  auto ptr = [&](Value value) { return plan.storage(value).pointer; };
  auto dims = [&](Value value) { return plan.storage(value).dims; };
  auto flag = [](bool value) { return value ? "true" : "false"; };
  auto real = [](double value) { return ExpressionPrinter::formatReal(value); };
  auto set = [&](StringRef name, std::vector<std::string> args) {
    call.name = name.str();
    call.args = std::move(args);
    return true;
  };
  bool matched =
      llvm::TypeSwitch<Operation *, bool>(&op)
          .Case([&](saek::TopKOp topk) {
            std::vector<std::string> in = dims(topk.getInput());
            return set("topk",
                       {ptr(topk.getInput()), in[0], in[1],
                        std::to_string(topk.getK()), flag(topk.getAbs()),
                        ptr(topk.getValues()), ptr(topk.getIndices())});
          })
          .Case([&](saek::GatherDecodeOp gather) {
            std::vector<std::string> code = dims(gather.getValues());
            return set("gather_decode",
                       {ptr(gather.getValues()), ptr(gather.getIndices()),
                        ptr(gather.getTable()),
                        gather.getBias() ? ptr(gather.getBias()) : "nullptr",
                        code[0], code[1], dims(gather.getTable())[1],
                        ptr(gather.getResult())});
          })
          .Case([&](saek::GatherDotOp dot) {
            std::vector<std::string> code = dims(dot.getIndices());
            return set("gather_dot",
                       {ptr(dot.getRows()), ptr(dot.getIndices()),
                        ptr(dot.getTable()), code[0], code[1],
                        dims(dot.getTable())[1], ptr(dot.getResult())});
          })
          .Case([&](saek::ScatterRowsOp scatter) {
            std::vector<std::string> code = dims(scatter.getValues());
            return set(
                "scatter_rows",
                {ptr(scatter.getValues()), ptr(scatter.getIndices()),
                 ptr(scatter.getRows()), code[0], code[1],
                 dims(scatter.getRows())[1], std::to_string(scatter.getN()),
                 flag(scatter.getTransposed()), ptr(scatter.getResult())});
          })
          .Case([&](saek::ScatterDenseOp scatter) {
            std::vector<std::string> code = dims(scatter.getValues());
            return set("scatter_dense",
                       {ptr(scatter.getValues()), ptr(scatter.getIndices()),
                        code[0], code[1], std::to_string(scatter.getN()),
                        ptr(scatter.getResult())});
          })
          .Case([&](saek::GatherOp gather) {
            std::vector<std::string> in = dims(gather.getInput());
            return set("gather",
                       {ptr(gather.getInput()), ptr(gather.getIndices()), in[0],
                        in[1], dims(gather.getIndices())[1],
                        ptr(gather.getResult())});
          })
          .Case([&](saek::ScatterSumOp scatter) {
            std::vector<std::string> code = dims(scatter.getValues());
            return set("scatter_sum",
                       {ptr(scatter.getValues()), ptr(scatter.getIndices()),
                        code[0], code[1], std::to_string(scatter.getN()),
                        ptr(scatter.getResult())});
          })
          .Case([&](saek::BatchTopKOp topk) {
            std::vector<std::string> in = dims(topk.getInput());
            return set("batch_topk",
                       {ptr(topk.getInput()), in[0], in[1],
                        std::to_string(topk.getK()), flag(topk.getMask()),
                        ptr(topk.getResult())});
          })
          .Case([&](saek::AdamOp adam) {
            // A unit-row parameter's projection, step and renormalisation
            // are one row-by-row kernel (EntryPlan::fusedUnitNorm).
            Operation *fused = plan.fusedUnitNorm(adam);
            Value grad = adam.getGrad(), newParam = adam.getNewParam();
            if (fused) {
              grad = grad.getDefiningOp<saek::ProjectTangentOp>().getGrad();
              newParam = fused->getResult(0);
            }
            std::vector<std::string> args = {ptr(adam.getParam()), ptr(grad),
                                             ptr(adam.getM()),
                                             ptr(adam.getV())};
            if (fused) {
              std::vector<std::string> shape = dims(adam.getParam());
              args.push_back(shape[0]);
              args.push_back(shape[1]);
            } else {
              args.push_back(plan.storage(adam.getParam()).size());
            }
            call.scalarPointer.assign(args.size(), false);
            for (Value scalar : {adam.getLr(), adam.getBc1(), adam.getBc2()})
              args.push_back(ptr(scalar));
            call.scalarPointer.resize(args.size(), true);
            double beta1 = adam.getBeta1().convertToDouble();
            double beta2 = adam.getBeta2().convertToDouble();
            // 1 - beta folded in double (see prism_adam_step).
            for (double value : {beta1, beta2, 1.0 - beta1, 1.0 - beta2,
                                 adam.getEps().convertToDouble(),
                                 adam.getWeightDecay().convertToDouble()})
              args.push_back(real(value));
            for (Value out :
                 {newParam, Value(adam.getNewM()), Value(adam.getNewV())})
              args.push_back(ptr(out));
            return set(fused ? "adam_unit_rows" : "adam", std::move(args));
          })
          .Case([&](saek::UnitNormOp norm) {
            std::vector<std::string> in = dims(norm.getInput());
            return set("unit_norm",
                       {ptr(norm.getInput()), in[0], in[1],
                        std::to_string(norm.getAxis()), ptr(norm.getResult())});
          })
          .Case([&](saek::ProjectTangentOp project) {
            std::vector<std::string> in = dims(project.getGrad());
            return set("project_tangent",
                       {ptr(project.getGrad()), ptr(project.getParam()), in[0],
                        in[1], std::to_string(project.getAxis()),
                        ptr(project.getResult())});
          })
          .Default([](Operation *) { return false; });
  if (!matched)
    return std::nullopt;
  call.scalarPointer.resize(call.args.size(), false);
  return call;
}
