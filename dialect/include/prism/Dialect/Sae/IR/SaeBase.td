//===- SaeBase.td - sae dialect definition -----------------*- tablegen -*-===//
//
// The `sae` dialect holds a sparse autoencoder as a graph of tensor ops:
// parameters with their initialisers, linear algebra, activations, losses and
// reductions. This file defines the dialect and the type constraints its ops
// share.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEBASE_TD
#define PRISM_DIALECT_SAE_IR_SAEBASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def Sae_Dialect : Dialect {
  let name = "sae";
  let cppNamespace = "::prism::sae";
  let summary = "Sparse autoencoder model graphs";
  let description = [{
    The `sae` dialect describes one sparse autoencoder variant: its trainable
    parameters and how they are initialised, the encoder and decoder
    computations, and the losses and dataset-level reductions built on them.
    Values are builtin ranked tensors of floating-point elements; the batch
    dimension is usually dynamic (`?`) and every other dimension static.
  }];

  // The enum attributes print through the generated printer and parser.
  let useDefaultAttributePrinterParser = 1;
}

// The element types an SAE computes in.
def Sae_Float : AnyTypeOf<[F16, BF16, F32, F64]>;

// Every value an op consumes or produces in a model graph.
def Sae_Tensor : RankedTensorOf<[Sae_Float]>;

class Sae_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sae_Dialect, mnemonic, traits>;

#endif // PRISM_DIALECT_SAE_IR_SAEBASE_TD
