//===- prismc.cpp - The Prism compiler driver -------------------*- C++ -*-===//
//
// Compiles a .sae file. -emit=ast prints the syntax tree; -emit=mlir checks
// the program (with its imports) and prints it in the sae dialect; -emit=saek
// lowers it to kernels; -emit=cpp prints them as C++/OpenMP; -emit=program
// builds them with the host C++ compiler and packs a program file
// (docs/formats.md). -emit=cpp and -emit=program also take kernel-level IR
// (.mlir). Errors print as `file:line:col: error:` with the source line and a
// caret; with -verify-diagnostics they are checked against `expected-error`
// comments.
//
//===----------------------------------------------------------------------===//

#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Sae/Transforms/Passes.h"
#include "prism/Dialect/Saek/IR/SaekDialect.h"
#include "prism/Lang/AST.h"
#include "prism/Lang/ASTPrinter.h"
#include "prism/Lang/Frontend.h"
#include "prism/Lang/Parser.h"
#include "prism/Target/CppEmitter.h"
#include "prism/Target/CudaEmitter.h"
#include "prism/runtime/Program.h"
#ifdef PRISM_HAVE_SAE_TO_KERNEL
#include "prism/Conversion/SaeToSaek.h"
#endif

#include "CudaCompiler.h"
#include "HostCompiler.h"
#include "LayoutJson.h"
#include "ProgramPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

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
enum class EmitAction { AST, MLIR, Saek, Cpp, Cuda, Program };
enum class KernelTarget { Cpu, Cuda };
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
                          clEnumValN(EmitAction::Saek, "saek",
                                     "the kernels, in the saek dialect"),
                          clEnumValN(EmitAction::Cpp, "cpp",
                                     "C++/OpenMP kernels for the CPU"),
                          clEnumValN(EmitAction::Cuda, "cuda",
                                     "CUDA kernels and their host code"),
                          clEnumValN(EmitAction::Program, "program",
                                     "a program file for the runtime (-o)")),
               cl::cat(prismcCategory));

static cl::opt<KernelTarget> kernelTarget(
    "target", cl::desc("Where the program of -emit=program runs"),
    cl::init(KernelTarget::Cpu),
    cl::values(clEnumValN(KernelTarget::Cpu, "cpu",
                          "C++/OpenMP kernels and OpenBLAS (default)"),
               clEnumValN(KernelTarget::Cuda, "cuda",
                          "CUDA kernels (PTX and cubins) and cuBLASLt")),
    cl::cat(prismcCategory));

static cl::opt<std::string>
    nvccPath("nvcc",
             cl::desc("The CUDA compiler for -target=cuda (default: "
                      "$PRISM_NVCC, $CUDA_HOME/bin/nvcc, "
                      "/usr/local/cuda/bin/nvcc, nvcc)"),
             cl::value_desc("path"), cl::cat(prismcCategory));

static cl::list<std::string> cudaArchs(
    "cuda-arch",
    cl::desc("GPU architectures to build cubins for with -target=cuda "
             "(default: sm_80,sm_90; PTX is built for the first)"),
    cl::value_desc("sm_XY"), cl::CommaSeparated, cl::cat(prismcCategory));

static cl::opt<std::string> modelName(
    "model",
    cl::desc("The model to lower when the file and its imports define "
             "several (default: the one the file itself defines)"),
    cl::value_desc("name"), cl::cat(prismcCategory));

static cl::opt<std::string> layoutFilename(
    "layout",
    cl::desc("With -emit=cpp or -emit=program, also write the buffer table "
             "and entry points as JSON"),
    cl::value_desc("filename"), cl::cat(prismcCategory));

static cl::opt<std::string>
    hostCompiler("cxx",
                 cl::desc("The host C++ compiler that builds the kernels of "
                          "-emit=program (default: $PRISM_CXX, else c++)"),
                 cl::value_desc("path"), cl::cat(prismcCategory));

static cl::list<std::string>
    hostCompilerFlags("Xcxx",
                      cl::desc("Pass a flag to the host C++ compiler, after "
                               "the default ones"),
                      cl::value_desc("flag"), cl::cat(prismcCategory));

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

/// The command line prismc runs with, recorded in programs.
static std::string commandLine;

/// An error about the input file as a whole, not about a place in it.
static mlir::LogicalResult fileError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), inputFilename) << message << "\n";
  return mlir::failure();
}

/// The text a program records as its source: the main buffer, then each
/// imported file after a line naming it.
static std::string sourceText(llvm::SourceMgr &sourceMgr) {
  unsigned mainFile = sourceMgr.getMainFileID();
  std::string text = sourceMgr.getMemoryBuffer(mainFile)->getBuffer().str();
  for (unsigned id = 1; id <= sourceMgr.getNumBuffers(); ++id) {
    if (id == mainFile)
      continue;
    const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(id);
    if (!text.empty() && text.back() != '\n')
      text += '\n';
    text += "# prismc: imported " + buffer->getBufferIdentifier().str() + "\n";
    text += buffer->getBuffer().str();
  }
  return text;
}

/// Writes the layout JSON of -layout, if asked for.
static mlir::LogicalResult writeLayout(const target::ProgramLayout &layout) {
  if (layoutFilename.empty())
    return mlir::success();
  std::error_code error;
  llvm::ToolOutputFile file(layoutFilename, error, llvm::sys::fs::OF_Text);
  if (error) {
    llvm::WithColor::error(llvm::errs(), layoutFilename)
        << "cannot open: " << error.message() << "\n";
    return mlir::failure();
  }
  prismc::writeLayoutJson(layout, file.os());
  file.keep();
  return mlir::success();
}

/// Builds the kernels of `module`, packs them with the model into a program
/// and writes it atomically to -o.
/// The host compiler -cxx, $PRISM_CXX or c++ names, with -Xcxx flags.
static prismc::HostCompilerOptions hostCompilerOptions() {
  prismc::HostCompilerOptions options;
  if (!hostCompiler.empty())
    options.compiler = hostCompiler;
  else if (const char *fromEnv = std::getenv("PRISM_CXX"); fromEnv && *fromEnv)
    options.compiler = fromEnv;
  options.extraFlags.assign(hostCompilerFlags.begin(), hostCompilerFlags.end());
  return options;
}

/// The kernel images of a CUDA program: the host code (image 0, which the
/// entry points name), then a cubin per architecture and the PTX.
static mlir::LogicalResult buildCudaImages(const target::CudaSources &sources,
                                           ProgramInfo &info,
                                           std::vector<std::string> &blobs) {
  prismc::HostCompilerOptions hostOptions = hostCompilerOptions();
  hostOptions.linkBlas = false;
  hostOptions.seeWith = "-emit=cuda";
  llvm::Expected<std::string> host =
      prismc::compileSharedObject(sources.host, hostOptions);
  if (!host)
    return fileError(llvm::toString(host.takeError()));
  blobs.push_back(std::move(*host));

  prismc::CudaCompilerOptions cudaOptions;
  cudaOptions.nvcc = nvccPath;
  if (!cudaArchs.empty())
    cudaOptions.archs.assign(cudaArchs.begin(), cudaArchs.end());
  llvm::Expected<std::vector<prismc::CudaImage>> images =
      prismc::compileCudaKernels(sources.device, cudaOptions);
  if (!images)
    return fileError(llvm::toString(images.takeError()));
  info.target = ProgramTarget::Cuda;
  for (prismc::CudaImage &image : *images) {
    KernelImageInfo kernel;
    kernel.target = ProgramTarget::Cuda;
    kernel.arch = image.arch;
    kernel.format = image.format;
    info.kernels.push_back(kernel);
    blobs.push_back(std::move(image.bytes));
  }
  return mlir::success();
}

/// Builds the kernels of `module`, packs them with the model into a program
/// and writes it atomically to -o.
static mlir::LogicalResult emitProgram(mlir::ModuleOp module,
                                       llvm::SourceMgr &sourceMgr) {
  std::string cpp;
  target::CudaSources cuda;
  target::ProgramLayout layout;
  if (kernelTarget == KernelTarget::Cuda) {
    if (mlir::failed(target::emitCuda(module, cuda, layout)))
      return mlir::failure();
  } else {
    llvm::raw_string_ostream cppStream(cpp);
    if (mlir::failed(target::emitCpp(module, cppStream, layout)))
      return mlir::failure();
  }
  prismc::ProgramProvenance from;
  from.sourcePath = inputFilename;
  from.source = sourceText(sourceMgr);
  from.options = commandLine;
  from.compilerVersion = std::string("prismc ") + PRISM_VERSION;
  mlir::FailureOr<ProgramInfo> info =
      prismc::buildProgramInfo(module, layout, from);
  if (mlir::failed(info))
    return mlir::failure();

  ProgramWriter writer;
  writer.info = std::move(*info);
  if (kernelTarget == KernelTarget::Cuda) {
    if (mlir::failed(buildCudaImages(cuda, writer.info, writer.blobs)))
      return mlir::failure();
  } else {
    llvm::Expected<std::string> image =
        prismc::compileSharedObject(cpp, hostCompilerOptions());
    if (!image)
      return fileError(llvm::toString(image.takeError()));
    writer.blobs.push_back(std::move(*image));
  }
  Status status = writer.write(outputFilename);
  if (!status.isOk()) {
    llvm::errs() << status.str() << "\n";
    return mlir::failure();
  }
  // What the runtime will check when it loads the file, checked now.
  StatusOr<Program> program = Program::open(outputFilename);
  if (!program.isOk()) {
    llvm::sys::fs::remove(outputFilename);
    return fileError("internal error: the program prismc wrote does not "
                     "load: " +
                     program.getStatus().str());
  }
  return writeLayout(layout);
}

/// Emits a kernel-level module (saek entry functions) as -emit asks.
static mlir::LogicalResult emitKernels(mlir::ModuleOp module,
                                       llvm::SourceMgr &sourceMgr,
                                       llvm::raw_ostream &os) {
  switch (emitAction) {
  case EmitAction::MLIR:
  case EmitAction::Saek:
    module->print(os);
    os << "\n";
    return mlir::success();
  case EmitAction::Cpp: {
    target::ProgramLayout layout;
    if (mlir::failed(target::emitCpp(module, os, layout)))
      return mlir::failure();
    return writeLayout(layout);
  }
  case EmitAction::Cuda: {
    target::ProgramLayout layout;
    target::CudaSources sources;
    if (mlir::failed(target::emitCuda(module, sources, layout)))
      return mlir::failure();
    os << "// ===== device code (nvcc) =====\n"
       << sources.device << "// ===== host code (c++) =====\n"
       << sources.host;
    return writeLayout(layout);
  }
  case EmitAction::Program:
    return emitProgram(module, sourceMgr);
  case EmitAction::AST:
    break;
  }
  return mlir::emitError(mlir::UnknownLoc::get(module.getContext()),
                         "-emit=ast needs a .sae input");
}

/// Compiles kernel-level IR (a module of saek entry functions).
static mlir::LogicalResult compileIR(llvm::SourceMgr &sourceMgr,
                                     mlir::MLIRContext &context,
                                     llvm::raw_ostream &os) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return mlir::failure();
  return emitKernels(*module, sourceMgr, os);
}

/// A program holds one model: keeps the one -model names, else the only one
/// the main file defines, and erases the others with their train and
/// metrics blocks.
static mlir::LogicalResult selectModel(mlir::ModuleOp module,
                                       llvm::SourceMgr &sourceMgr) {
  llvm::SmallVector<sae::ModelOp> models(module.getOps<sae::ModelOp>());
  std::string names;
  for (sae::ModelOp model : models)
    names += (names.empty() ? "" : ", ") + model.getSymName().str();
  sae::ModelOp chosen;
  if (!modelName.empty()) {
    for (sae::ModelOp model : models)
      if (model.getSymName() == modelName)
        chosen = model;
    if (!chosen)
      return fileError("-model=" + modelName + ": no such model (" +
                       (names.empty() ? std::string("there are none")
                                      : "there are " + names) +
                       ")");
  } else {
    if (models.size() <= 1)
      return mlir::success();
    llvm::StringRef mainName =
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
            ->getBufferIdentifier();
    llvm::SmallVector<sae::ModelOp> local;
    for (sae::ModelOp model : models) {
      auto loc = model.getLoc()->findInstanceOf<mlir::FileLineColLoc>();
      if (loc && loc.getFilename() == mainName)
        local.push_back(model);
    }
    if (local.size() != 1)
      return fileError("the file and its imports define the models " + names +
                       "; choose one with -model=NAME");
    chosen = local.front();
  }
  llvm::StringRef kept = chosen.getSymName();
  for (mlir::Operation &op :
       llvm::make_early_inc_range(module.getBody()->getOperations())) {
    if (auto model = llvm::dyn_cast<sae::ModelOp>(op); model && model != chosen)
      op.erase();
    else if (auto train = llvm::dyn_cast<sae::TrainOp>(op);
             train && train.getModel() != kept)
      op.erase();
    else if (auto metrics = llvm::dyn_cast<sae::MetricsOp>(op);
             metrics && metrics.getModel() != kept)
      op.erase();
  }
  return mlir::success();
}

/// Lowers a module of the sae dialect to kernels: the entry points with
/// their gradients and optimizer step, then the sae-to-kernel conversion.
static mlir::LogicalResult lowerToKernels(mlir::ModuleOp module) {
#ifdef PRISM_HAVE_SAE_TO_KERNEL
  mlir::PassManager pm(module.getContext());
  buildTrainingPipeline(pm);
  return pm.run(module);
#else
  const char *what = emitAction == EmitAction::Saek      ? "saek"
                     : emitAction == EmitAction::Program ? "program"
                     : emitAction == EmitAction::Cuda    ? "cuda"
                                                         : "cpp";
  return fileError(llvm::Twine("-emit=") + what +
                   " from a .sae model needs the sae-to-saek lowering, which "
                   "is not built yet; give kernel-level IR (.mlir) instead");
#endif
}

static mlir::LogicalResult compile(llvm::SourceMgr &sourceMgr,
                                   mlir::MLIRContext &context,
                                   llvm::raw_ostream &os) {
  unsigned mainFile = sourceMgr.getMainFileID();
  if (isIRInput())
    return compileIR(sourceMgr, context, os);
  if (emitAction == EmitAction::AST) {
    std::unique_ptr<lang::ast::File> file =
        lang::parseFile(sourceMgr, mainFile, &context);
    if (!file)
      return mlir::failure();
    lang::printAST(*file, sourceMgr, os);
    return mlir::success();
  }
  mlir::OwningOpRef<mlir::ModuleOp> module =
      lang::compileToModule(sourceMgr, mainFile, &context);
  if (!module)
    return mlir::failure();
  if (emitAction == EmitAction::MLIR) {
    module->print(os);
    os << "\n";
    return mlir::success();
  }
  if (mlir::failed(selectModel(*module, sourceMgr)) ||
      mlir::failed(lowerToKernels(*module)))
    return mlir::failure();
  return emitKernels(*module, sourceMgr, os);
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

  for (int i = 0; i < argc; ++i)
    commandLine += (i ? " " : "") + std::string(argv[i]);
  if (!layoutFilename.empty() && emitAction != EmitAction::Cpp &&
      emitAction != EmitAction::Cuda && emitAction != EmitAction::Program) {
    llvm::WithColor::error(llvm::errs(), "prismc")
        << "-layout needs -emit=cpp, -emit=cuda or -emit=program\n";
    return 1;
  }
  if (kernelTarget == KernelTarget::Cuda && emitAction != EmitAction::Program &&
      emitAction != EmitAction::Cuda) {
    llvm::WithColor::error(llvm::errs(), "prismc")
        << "-target=cuda applies to -emit=program; for the CUDA code "
           "itself use -emit=cuda\n";
    return 1;
  }

  // A program is written atomically by its writer, at the end; the other
  // outputs are text streamed to -o.
  bool toProgram = emitAction == EmitAction::Program;
  if (toProgram && outputFilename == "-") {
    llvm::WithColor::error(llvm::errs(), "prismc")
        << "-emit=program needs an output file: -o FILE.prism\n";
    return 1;
  }
  std::error_code error;
  llvm::ToolOutputFile output(toProgram ? "-" : outputFilename.getValue(),
                              error, llvm::sys::fs::OF_Text);
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
