//===- SaeOps.td - sae dialect operations ------------------*- tablegen -*-===//
//
// The ops of the sae dialect, in two groups: the structure of a program
// (models, their declarations, metrics, training) and the compute ops of a
// model graph; and the ops the training passes add (backward pass,
// optimizer step). Shape rules are checked by C++ verifiers so that their
// messages can name the shapes involved.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEOPS_TD
#define PRISM_DIALECT_SAE_IR_SAEOPS_TD

include "prism/Dialect/Sae/IR/SaeStructureOps.td"
include "prism/Dialect/Sae/IR/SaeComputeOps.td"
include "prism/Dialect/Sae/IR/SaeGradOps.td"
include "prism/Dialect/Sae/IR/SaeOptimizerOps.td"

#endif // PRISM_DIALECT_SAE_IR_SAEOPS_TD
