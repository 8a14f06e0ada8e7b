//===- prismc.cpp - The Prism compiler driver -------------------*- C++ -*-===//
//
// Compiles a .sae file. -emit=ast prints the syntax tree; -emit=mlir checks
// the program (with its imports) and prints it in the sae dialect. Errors print
// as `file:line:col: error:` with the source line and a caret; with
// -verify-diagnostics they are checked against `expected-error` comments.
//
//===----------------------------------------------------------------------===//

#include "prism/Lang/AST.h"
#include "prism/Lang/ASTPrinter.h"
#include "prism/Lang/Frontend.h"
#include "prism/Lang/Parser.h"

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
enum class EmitAction { AST, MLIR };
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
                                     "the model in the sae dialect")),
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

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static mlir::LogicalResult compile(llvm::SourceMgr &sourceMgr,
                                   mlir::MLIRContext &context,
                                   llvm::raw_ostream &os) {
  unsigned mainFile = sourceMgr.getMainFileID();
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

  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  auto process = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                     llvm::raw_ostream &os) {
    return processBuffer(std::move(chunk), context, os);
  };
  if (mlir::failed(mlir::splitAndProcessBuffer(
          std::move(*input), process, output.os(),
          splitInputFile ? kSplitMarker : "", kSplitMarker)))
    return 1;
  output.keep();
  return 0;
}
