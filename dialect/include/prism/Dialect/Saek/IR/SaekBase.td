//===- SaekBase.td - saek dialect definition ---------------*- tablegen -*-===//
//
// The `saek` dialect is the kernel level of Prism: what the back ends emit.
// Each op is one kernel or one vendor-library call (a GEMM with its epilogue,
// a top-k selection, a sparse gather or scatter, a fused optimizer update);
// fused elementwise and reduction work is upstream `linalg.generic`, whose
// region the emitters print through one shared expression printer.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAEK_IR_SAEKBASE_TD
#define PRISM_DIALECT_SAEK_IR_SAEKBASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def Saek_Dialect : Dialect {
  let name = "saek";
  let cppNamespace = "::prism::saek";
  let summary = "Kernels of compiled sparse autoencoder programs";
  let description = [{
    `saek` ops are the kernels a Prism program runs: one op, one kernel or
    library call. Values are ranked tensors whose storage the buffer plan
    (`-saek-plan-buffers`) assigns; the batch dimension is dynamic (`?`).
    Sparse codes are pairs of tensors: the kept values `[B, k]` (f32) and
    their latent indices `[B, k]` (i32).
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Saek_Float : AnyTypeOf<[F32, F64]>;
def Saek_FloatTensor : RankedTensorOf<[Saek_Float]>;
def Saek_IndexTensor : RankedTensorOf<[I32]>;

class Saek_Op<string mnemonic, list<Trait> traits = []>
    : Op<Saek_Dialect, mnemonic, traits>;

#endif // PRISM_DIALECT_SAEK_IR_SAEKBASE_TD
