//===- SaeStructureOps.td - sae program structure ----------*- tablegen -*-===//
//
// The ops that give a program its shape: a model and what it declares
// (inputs, parameters, named outputs), a metrics block and what it reads from
// its model, and the training configuration of a model. The compute ops live
// in SaeComputeOps.td; their verifiers are in SaeStructureOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAESTRUCTUREOPS_TD
#define PRISM_DIALECT_SAE_IR_SAESTRUCTUREOPS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "prism/Dialect/Sae/IR/SaeEnums.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

def Sae_ModelOp : Sae_Op<"model", [
    Symbol, IsolatedFromAbove, NoTerminator, SingleBlock
  ]> {
  let summary = "a sparse autoencoder: its inputs, parameters and graph";
  let description = [{
    Holds one model of a `.sae` file. The single block declares the inputs
    (`sae.input`) and the parameters (`sae.param`), computes the forward
    pass, and exports named values with `sae.output`. The output named
    `loss` is the scalar that training minimises; every output and every
    parameter can be read by a `sae.metrics` block bound to the model.

    `hyper` keeps the model's hyperparameters (integers and floats) as the
    author wrote them; the graph already has them folded into shapes and
    attributes, so they are informational (reports, the program file).

    Names form one namespace: no two inputs, parameters or outputs share a
    name.

    ```mlir
    sae.model @topk hyper {d = 512 : i64, k = 32 : i64, n = 4096 : i64} {
      %x = sae.input "x" : tensor<?x512xf32>
      ...
      sae.output "loss" %loss : tensor<f32>
    }
    ```
  }];

  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<DictionaryAttr>:$hyper);
  let regions = (region SizedRegion<1>:$bodyRegion);

  let assemblyFormat = [{
    $sym_name (`hyper` $hyper^)? attr-dict-with-keyword $bodyRegion
  }];

  let builders = [
    // Leaves the body region empty: add its block with
    // `getBodyRegion().emplaceBlock()`.
    OpBuilder<(ins "::llvm::StringRef":$name,
                   CArg<"::mlir::DictionaryAttr", "{}">:$hyper)>
  ];

  let extraClassDeclaration = [{
    /// The input, parameter or output named `name`, or null.
    InputOp lookupInput(::llvm::StringRef name);
    ParamOp lookupParam(::llvm::StringRef name);
    OutputOp lookupOutput(::llvm::StringRef name);

    /// The `loss` output, or null.
    OutputOp getLoss();
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

// Not Pure: an input names data the model consumes, so it stays even when
// nothing reads it.
def Sae_InputOp : Sae_Op<"input", [
    ParentOneOf<["ModelOp", "MetricsOp"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>
  ]> {
  let summary = "declares an input batch";
  let description = [{
    Declares the input `name` of a model: a batch of embedding rows whose
    first dimension (the batch) is dynamic and whose other dimensions are
    static.

    Inside a `sae.metrics` block, `sae.input` reads the input of the same
    name of the bound model (the dataset streamed through it) and must have
    its type. Over `pairs`, `[image]` or `[text]` selects one side of each
    pair.

    ```mlir
    %x = sae.input "x" : tensor<?x512xf32>
    %xi = sae.input "x" [image] : tensor<?x512xf32>
    ```
  }];

  let arguments = (ins StrAttr:$name, OptionalAttr<Sae_ModalityAttr>:$side);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $name (custom<Side>($side)^)? attr-dict `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::llvm::StringRef":$name,
                   CArg<"std::optional<Modality>", "std::nullopt">:$side)>
  ];
  let hasVerifier = 1;
}

// Not Pure: a parameter names training state, so two declarations must never
// be merged and an unused one must not be dropped.
def Sae_ParamOp : Sae_Op<"param"> {
  let summary = "declares a trainable parameter and its initialiser";
  let description = [{
    Declares the trainable tensor `name` and how training initialises it.

    | initialiser | attributes | value |
    | --- | --- | --- |
    | `zeros` | | 0 |
    | `constant(v)` | `value` (required) | `v` everywhere |
    | `kaiming` | | uniform in ±√(6 / fan_in), fan_in = the first dimension |
    | `xavier` | | uniform in ±√(6 / (fan_in + fan_out)), fan_out = last dim |
    | `normal(std)` | `value` (the std, default 1.0), `seed` | N(0, std²) |
    | `mean from "x"` | `source`: input | per-dimension mean of the data |
    | `median from "x"` | `source`: input | geometric median of the data |
    | `transpose from "W"` | `source`: parameter | `W` (initial), transposed |
    | `copy from "W"` | `source`: parameter | `W`'s initial value |

    A source is declared earlier in the same block, so initialisation
    follows declaration order and has no cycles. `mean` and `median` are
    data-dependent: their source is an input whose rows have the
    parameter's shape, and the runtime computes them from the training set
    before the first step. The source of `transpose` or `copy` is a
    parameter of the transposed or the same shape.

    A parameter belongs to a model (or, in pass tests, to a function); a
    metrics block reads it with `sae.model_value`.

    `constraint` is kept after every optimizer step: `unit_rows` keeps
    every row at L2 norm 1 (and removes the gradient component parallel to
    each row before the step), `unit_cols` the same for columns. Both need a
    matrix.

    ```mlir
    %w = sae.param "W_enc" kaiming : tensor<512x4096xf32>
    %b = sae.param "b_enc" constant(0.0) : tensor<4096xf32>
    %n = sae.param "W_init" normal(0.02) seed 7 : tensor<512x4096xf32>
    %m = sae.param "b_dec" median from "x" : tensor<512xf32>
    %d = sae.param "W_dec" transpose from "W_enc" constraint unit_rows
           : tensor<4096x512xf32>
    ```
  }];

  let arguments = (ins StrAttr:$name, Sae_InitKindAttr:$init,
                       OptionalAttr<F64Attr>:$value,
                       OptionalAttr<I64Attr>:$seed,
                       OptionalAttr<StrAttr>:$source,
                       OptionalAttr<Sae_ConstraintAttr>:$constraint);
  let results = (outs AnyRankedTensor:$result);

  // The enum attributes print their own leading space; `` drops the op's.
  let assemblyFormat = [{
    $name `` $init (`(` $value^ `)`)? (`seed` $seed^)? (`from` $source^)?
    (`constraint` `` $constraint^)? attr-dict `:` type($result)
  }];
  let builders = [
    // `value` is the fill of `constant` or the std of `normal`; `source`
    // names the input or parameter the initialiser reads. Set a `normal`
    // seed with setSeed().
    OpBuilder<(ins "::mlir::Type":$type, "::llvm::StringRef":$name,
                   "InitKind":$init,
                   CArg<"std::optional<double>", "std::nullopt">:$value,
                   CArg<"::llvm::StringRef", "{}">:$source,
                   CArg<"std::optional<Constraint>",
                        "std::nullopt">:$constraint)>
  ];
  let hasVerifier = 1;
}

def Sae_OutputOp : Sae_Op<"output", [HasParent<"ModelOp">]> {
  let summary = "exports a named value of a model";
  let description = [{
    Gives `value` the name `name`, under which metrics read it (`m.xhat`).
    The output named `loss` is what training minimises and must be a
    rank-0 tensor; a model has exactly one.

    ```mlir
    sae.output "xhat" %xhat : tensor<?x512xf32>
    sae.output "loss" %loss : tensor<f32>
    ```
  }];

  let arguments = (ins StrAttr:$name, Sae_Tensor:$value);

  let assemblyFormat = "$name $value attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Metrics
//===----------------------------------------------------------------------===//

def Sae_MetricsOp : Sae_Op<"metrics", [
    Symbol, IsolatedFromAbove, NoTerminator, SingleBlock,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>
  ]> {
  let summary = "dataset-level measurements of a model";
  let description = [{
    Holds one `metrics` block of a `.sae` file, bound to the model `model`.
    The block reads the model's inputs (`sae.input`) and its outputs and
    parameters (`sae.model_value`), computes on them with the compute ops,
    and names its results with `sae.metric`. It is evaluated over a whole
    dataset, streamed in batches: reductions along axis 0, or over all axes,
    run over every row of the dataset rather than one batch.

    `over rows` sees every row once; `over pairs` sees aligned image-text
    pairs, and `[image]` / `[text]` on `sae.model_value` and `sae.input`
    select one side of each pair.

    ```mlir
    sae.metrics @concepts model(@topk) over pairs {
      %z = sae.model_value "z" [image] : tensor<?x4096xf32>
      %l0 = sae.reduce count %z : tensor<?x4096xf32> -> tensor<f32>
      sae.metric "l0" %l0 : tensor<f32>
    }
    ```
  }];

  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$model,
                       Sae_MetricsDomainAttr:$over);
  let regions = (region SizedRegion<1>:$bodyRegion);

  let assemblyFormat = [{
    $sym_name `model` `(` $model `)` `over` `` $over attr-dict-with-keyword
    $bodyRegion
  }];

  let builders = [
    // Leaves the body region empty: add its block with
    // `getBodyRegion().emplaceBlock()`.
    OpBuilder<(ins "::llvm::StringRef":$name, "ModelOp":$model,
                   "MetricsDomain":$over)>
  ];

  let extraClassDeclaration = [{
    /// The bound model, or null when `model` names none.
    ModelOp lookupModel(::mlir::SymbolTableCollection &symbolTable);
    ModelOp lookupModel();
  }];

  let hasRegionVerifier = 1;
}

def Sae_ModelValueOp : Sae_Op<"model_value", [
    Pure, HasParent<"MetricsOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>
  ]> {
  let summary = "reads an output or a parameter of the bound model";
  let description = [{
    `m.NAME` in a metrics block: the output or parameter `name` of the model
    the enclosing `sae.metrics` is bound to, with exactly its type. Over
    `pairs`, `[image]` or `[text]` selects one side of each pair
    (`m.z[image]`); over `rows` no side may be given.

    ```mlir
    %z = sae.model_value "z" : tensor<?x4096xf32>
    %zi = sae.model_value "z" [image] : tensor<?x4096xf32>
    %w = sae.model_value "W_dec" : tensor<4096x512xf32>
    ```
  }];

  let arguments = (ins StrAttr:$name, OptionalAttr<Sae_ModalityAttr>:$side);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $name (custom<Side>($side)^)? attr-dict `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$type, "::llvm::StringRef":$name,
                   CArg<"std::optional<Modality>", "std::nullopt">:$side)>,
    // Takes the type of the output or parameter `name` of `model`, which
    // must declare one.
    OpBuilder<(ins "ModelOp":$model, "::llvm::StringRef":$name,
                   CArg<"std::optional<Modality>", "std::nullopt">:$side)>
  ];
  let hasVerifier = 1;
}

def Sae_MetricOp : Sae_Op<"metric", [HasParent<"MetricsOp">]> {
  let summary = "names a result of a metrics block";
  let description = [{
    A metric is a scalar, a per-concept vector `[n]` or a concept-by-concept
    matrix `[n, n]`: rank 0, 1 or 2, with a static shape. Names are unique
    within a metrics block.

    ```mlir
    sae.metric "r2" %r2 : tensor<f32>
    ```
  }];

  let arguments = (ins StrAttr:$name, Sae_Tensor:$value);

  let assemblyFormat = "$name $value attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def Sae_TrainOp : Sae_Op<"train", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>
  ]> {
  let summary = "the training configuration of a model";
  let description = [{
    The `train` block of a `.sae` file: how to train the model `model`. A
    model has at most one. `config` holds these options, all optional
    (command-line flags of `prism train` override them):

    | option | type | meaning |
    | --- | --- | --- |
    | `optimizer` | string | `"adam"` |
    | `lr` | number > 0 | peak learning rate |
    | `betas` | two numbers in [0, 1) | Adam's β₁, β₂ |
    | `eps` | number > 0 | Adam's ε |
    | `weight_decay` | number >= 0 | decoupled weight decay |
    | `schedule` | string | `"constant"`, `"linear"` or `"cosine"` |
    | `warmup` | integer >= 0 | linear warm-up steps |
    | `warmup_epochs` | number >= 0 | warm-up in epochs (not with `warmup`) |
    | `min_lr` | number >= 0 | where `"cosine"` ends (only with it) |
    | `batch` | integer > 0 | rows per step |
    | `steps` | integer > 0 | training length in steps (not with `epochs`) |
    | `epochs` | integer > 0 | training length in epochs |
    | `seed` | integer >= 0 | seed of initialisation and shuffling |
    | `dead_window` | integer > 0 | unfired samples that make a latent dead |

    A number may be written as an integer or a float attribute.

    ```mlir
    sae.train @topk config {batch = 4096 : i64, lr = 4.0e-04 : f64,
                            optimizer = "adam", steps = 20000 : i64}
    ```
  }];

  let arguments = (ins FlatSymbolRefAttr:$model, DictionaryAttr:$config);

  let assemblyFormat = "$model `config` $config attr-dict";

  let extraClassDeclaration = [{
    /// The option `name` as a number (an integer or a float attribute), or
    /// nullopt when it is absent or not a number.
    std::optional<double> getNumberOption(::llvm::StringRef name);
    /// The option `name` as an integer, or nullopt when it is absent or not
    /// an integer.
    std::optional<int64_t> getIntegerOption(::llvm::StringRef name);
    /// The option `name` as a string, or nullopt when it is absent or not a
    /// string.
    std::optional<::llvm::StringRef> getStringOption(::llvm::StringRef name);
  }];

  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAE_IR_SAESTRUCTUREOPS_TD
