//===- HostCompiler.cpp - C++ kernels to a shared object ------------------===//

#include "HostCompiler.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <optional>

using namespace llvm;
using namespace prism::prismc;

std::string prism::prismc::hostArchitecture() {
  return Triple(sys::getProcessTriple()).getArchName().str();
}

std::vector<std::string> prism::prismc::defaultKernelFlags() {
  std::vector<std::string> flags = {"-std=c++17", "-O3"};
  // x86-64-v2 (SSE4.2, POPCNT): every x86 server of the last decade, so a
  // program built here runs on the GPU machines too.
  if (hostArchitecture() == "x86_64")
    flags.push_back("-march=x86-64-v2");
  // The kernels never read errno; without it sqrt vectorises.
  for (const char *flag : {"-fno-math-errno", "-fopenmp", "-fPIC", "-shared"})
    flags.push_back(flag);
#ifdef PRISM_CBLAS_INCLUDE_DIR
  flags.push_back("-I" PRISM_CBLAS_INCLUDE_DIR);
#endif
  return flags;
}

/// A command line as a shell would take it back.
static std::string quoteCommand(ArrayRef<StringRef> args) {
  std::string text;
  for (StringRef arg : args) {
    if (!text.empty())
      text += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyz"
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_=+./,:@%") == StringRef::npos;
    if (plain) {
      text += arg;
      continue;
    }
    text += '\'';
    for (char c : arg)
      text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    text += '\'';
  }
  return text;
}

static Error failure(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// A new empty temporary file `prism-kernels-*.SUFFIX`, removed with the
/// returned remover.
static Expected<SmallString<128>> temporaryFile(StringRef suffix) {
  SmallString<128> path;
  if (std::error_code error =
          sys::fs::createTemporaryFile("prism-kernels", suffix, path))
    return failure("cannot create a temporary ." + suffix +
                   " file: " + error.message());
  return path;
}

Expected<std::string> prism::prismc::findTool(StringRef tool, StringRef what,
                                              StringRef hint) {
  if (tool.find('/') == StringRef::npos) {
    ErrorOr<std::string> found = sys::findProgramByName(tool);
    if (!found)
      return failure("cannot find the " + what + " '" + tool + "' on PATH (" +
                     hint + ")");
    return *found;
  }
  if (!sys::fs::can_execute(tool))
    return failure("the " + what + " '" + tool +
                   "' does not exist or is not executable");
  return tool.str();
}

Expected<std::string> prism::prismc::writeTemporary(StringRef suffix,
                                                    StringRef text) {
  Expected<SmallString<128>> path = temporaryFile(suffix);
  if (!path)
    return path.takeError();
  std::error_code error;
  raw_fd_ostream out(*path, error, sys::fs::OF_None);
  if (!error) {
    out << text;
    out.close();
    error = out.error();
  }
  if (error) {
    sys::fs::remove(*path);
    return failure("cannot write the kernels to " + *path + ": " +
                   error.message());
  }
  return path->str().str();
}

Expected<std::string> prism::prismc::runCompiler(StringRef compiler,
                                                 ArrayRef<std::string> args,
                                                 StringRef outputPath,
                                                 StringRef what,
                                                 StringRef seeWith) {
  Expected<SmallString<128>> logPath = temporaryFile("log");
  if (!logPath)
    return logPath.takeError();
  FileRemover removeLog(*logPath);
  std::vector<StringRef> argRefs(args.begin(), args.end());
  // The compiler's stdout and stderr go to one log, shown on failure.
  std::optional<StringRef> redirects[] = {StringRef(""), StringRef(*logPath),
                                          StringRef(*logPath)};
  std::string message;
  bool failedToRun = false;
  int status = sys::ExecuteAndWait(compiler, argRefs, /*Env=*/std::nullopt,
                                   redirects, /*SecondsToWait=*/0,
                                   /*MemoryLimit=*/0, &message, &failedToRun);
  if (failedToRun)
    return failure("cannot run the " + what + " '" + compiler +
                   "': " + message);
  if (status != 0) {
    std::string output;
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> log =
            MemoryBuffer::getFile(*logPath))
      output = (*log)->getBuffer().rtrim().str();
    std::string how = status < 0 ? "crashed: " + message
                                 : "exit status " + std::to_string(status);
    // The temporary source is gone by the time the user reads this; the
    // same code comes from -emit.
    return failure("the " + what + " failed (" + how +
                   ") on the generated kernels (see them with " + seeWith +
                   "):\n  " + quoteCommand(argRefs) +
                   (output.empty() ? std::string() : "\n" + output));
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> object =
      MemoryBuffer::getFile(outputPath, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!object)
    return failure("cannot read the compiled kernels " + outputPath + ": " +
                   object.getError().message());
  if ((*object)->getBufferSize() == 0)
    return failure("the " + what + " wrote an empty file:\n  " +
                   quoteCommand(argRefs));
  return (*object)->getBuffer().str();
}

Expected<std::string>
prism::prismc::compileSharedObject(StringRef source,
                                   const HostCompilerOptions &options) {
  Expected<std::string> compiler = findTool(
      options.compiler, "host C++ compiler", "choose one with -cxx=PATH");
  if (!compiler)
    return compiler.takeError();
  Expected<std::string> sourcePath = writeTemporary("cc", source);
  if (!sourcePath)
    return sourcePath.takeError();
  FileRemover removeSource(*sourcePath);
  Expected<SmallString<128>> objectPath = temporaryFile("so");
  if (!objectPath)
    return objectPath.takeError();
  FileRemover removeObject(*objectPath);

  std::vector<std::string> args = {*compiler};
  for (const std::string &flag : defaultKernelFlags())
    args.push_back(flag);
  for (const std::string &flag : options.extraFlags)
    args.push_back(flag);
  for (StringRef arg :
       {StringRef("-x"), StringRef("c++"), StringRef(*sourcePath),
        StringRef("-x"), StringRef("none"), StringRef("-o"),
        StringRef(*objectPath)})
    args.push_back(arg.str());
  if (options.linkBlas) {
#ifdef PRISM_OPENBLAS_LIBRARY
    args.push_back(PRISM_OPENBLAS_LIBRARY);
#else
    args.push_back("-lopenblas");
#endif
  }
  return runCompiler(*compiler, args, *objectPath, "host C++ compiler",
                     options.seeWith);
}
