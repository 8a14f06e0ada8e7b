//===- prismc.cpp - The Prism compiler driver -------------------*- C++ -*-===//
//
// Compiles a .sae file. -emit=ast prints the syntax tree; -emit=mlir checks
// the program (with its imports) and prints it in the sae dialect. Errors print
// as `file:line:col: error:` with the source line and a caret; with
// -verify-diagnostics they are checked against `expected-error` comments.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Saek/IR/SaekDialect.h"
#include "prism/Lang/AST.h"
#include "prism/Lang/ASTPrinter.h"
#include "prism/Lang/Frontend.h"
#include "prism/Lang/Parser.h"
#include "prism/Target/CppEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/ToolUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;
using namespace prism;

namespace {
enum class EmitAction { AST, MLIR, Cpp };
} // namespace

static cl::OptionCategory prismcCategory("prismc options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .sae file>"),
                                          cl::init("-"),
                                          cl::cat(prismcCategory));

static cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                           cl::value_desc("filename"),
                                           cl::init("-"),
                                           cl::cat(prismcCategory));

static cl::opt<EmitAction>
    emitAction("emit", cl::desc("What to produce"), cl::init(EmitAction::AST),
               cl::values(clEnumValN(EmitAction::AST, "ast",
                                     "the syntax tree, with source locations"),
                          clEnumValN(EmitAction::MLIR, "mlir",
                                     "the model in the sae dialect"),
                          clEnumValN(EmitAction::Cpp, "cpp",
                                     "C++/OpenMP kernels for the CPU")),
               cl::cat(prismcCategory));

static cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check the errors against the file's expected-error comments"),
    cl::cat(prismcCategory));

static cl::opt<bool> splitInputFile(
    "split-input-file",
    cl::desc("Compile each chunk between '# -----' lines on its own"),
    cl::cat(prismcCategory));

static constexpr llvm::StringLiteral kSplitMarker = "# -----";
static constexpr llvm::StringLiteral kIRSplitMarker = "// -----";

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// Whether the input is IR (`.mlir`) rather than a .sae model.
static bool isIRInput() {
  return llvm::StringRef(inputFilename).ends_with(".mlir");
}

/// Compiles kernel-level IR (a module of saek entry functions).
static mlir::LogicalResult compileIR(llvm::SourceMgr &sourceMgr,
                                     mlir::MLIRContext &context,
                                     llvm::raw_ostream &os) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return mlir::failure();
  switch (emitAction) {
  case EmitAction::MLIR:
    module->print(os);
    os << "\n";
    return mlir::success();
  case EmitAction::Cpp: {
    target::ProgramLayout layout;
    return target::emitCpp(*module, os, layout);
  }
  case EmitAction::AST:
    break;
  }
  return mlir::emitError(mlir::UnknownLoc::get(&context),
                         "-emit=ast needs a .sae input");
}

static mlir::LogicalResult compile(llvm::SourceMgr &sourceMgr,
                                   mlir::MLIRContext &context,
                                   llvm::raw_ostream &os) {
  unsigned mainFile = sourceMgr.getMainFileID();
  if (isIRInput())
    return compileIR(sourceMgr, context, os);
  switch (emitAction) {
  case EmitAction::AST: {
    std::unique_ptr<lang::ast::File> file =
        lang::parseFile(sourceMgr, mainFile, &context);
    if (!file)
      return mlir::failure();
    lang::printAST(*file, sourceMgr, os);
    return mlir::success();
  }
  case EmitAction::MLIR: {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        lang::compileToModule(sourceMgr, mainFile, &context);
    if (!module)
      return mlir::failure();
    module->print(os);
    os << "\n";
    return mlir::success();
  }
  case EmitAction::Cpp:
    // The sae-to-saek lowering is the next step of the CPU back end.
    return mlir::emitError(
        mlir::FileLineColLoc::get(&context, inputFilename, 1, 1),
        "-emit=cpp from a .sae model needs the sae-to-saek "
        "lowering, which is not built yet; give "
        "kernel-level IR (.mlir) instead");
  }
  llvm_unreachable("unknown -emit action");
}

/// Compiles one buffer (the file, or one chunk of it) with a diagnostic
/// handler of its own.
static mlir::LogicalResult
processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
              mlir::MLIRContext &context, llvm::raw_ostream &os) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (!verifyDiagnostics) {
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    return compile(sourceMgr, context, os);
  }
  mlir::SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
  (void)compile(sourceMgr, context, os);
  return handler.verify();
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // -mlir-print-debuginfo and friends, for tests that check locations.
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(prismcCategory);
  cl::ParseCommandLineOptions(argc, argv, "Prism compiler for .sae models\n");

  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> input =
      llvm::MemoryBuffer::getFileOrSTDIN(inputFilename, /*IsText=*/true);
  if (std::error_code error = input.getError()) {
    llvm::WithColor::error(llvm::errs(), inputFilename)
        << "cannot open: " << error.message() << "\n";
    return 1;
  }

  std::error_code error;
  llvm::ToolOutputFile output(outputFilename, error, llvm::sys::fs::OF_Text);
  if (error) {
    llvm::WithColor::error(llvm::errs(), outputFilename)
        << "cannot open: " << error.message() << "\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  registry.insert<sae::SaeDialect, saek::SaekDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // Users read our messages, not a dump of the op.
  context.printOpOnDiagnostic(false);
  auto process = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                     llvm::raw_ostream &os) {
    return processBuffer(std::move(chunk), context, os);
  };
  llvm::StringRef marker = isIRInput() ? kIRSplitMarker : kSplitMarker;
  if (mlir::failed(
          mlir::splitAndProcessBuffer(std::move(*input), process, output.os(),
                                      splitInputFile ? marker : "", marker)))
    return 1;
  output.keep();
  return 0;
}
