//===- Pipeline.cpp - the pipelines prismc runs ---------------------------===//

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void prism::buildSaeToKernelPipeline(OpPassManager &pm) {
  pm.addPass(createSaeTrainStatistics());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createSaeSparsify());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createConvertSaeToSaek());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createSaekFoldGemmEpilogues());
}

void prism::buildTrainingPipeline(OpPassManager &pm) {
  pm.addPass(sae::createSaeOutlineEntryPoints());
  pm.addPass(sae::createSaePlanMetrics());
  pm.addPass(sae::createSaeAutodiff());
  pm.addPass(sae::createSaeOptimizer());
  buildSaeToKernelPipeline(pm);
}
