//===- Frontend.cpp - From .sae source to a verified module ---------------===//

#include "prism/Lang/Frontend.h"
#include "prism/Lang/Diagnostics.h"
#include "prism/Lang/MLIRGen.h"
#include "prism/Lang/Parser.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace prism::lang;

std::vector<const ast::File *> ParsedProgram::getFiles() const {
  std::vector<const ast::File *> out;
  for (const std::unique_ptr<ast::File> &file : files)
    out.push_back(file.get());
  return out;
}

namespace {

class ImportLoader {
public:
  ImportLoader(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context)
      : sourceMgr(sourceMgr), context(context), reporter(sourceMgr, context) {}

  /// Parses `buffer`, after the files it imports; false after errors.
  bool load(unsigned buffer, ParsedProgram &program) {
    std::unique_ptr<ast::File> file = parseFile(sourceMgr, buffer, context);
    if (!file)
      return false;
    llvm::StringRef importer =
        sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
    std::string key = canonical(importer);
    active.insert(key);
    bool ok = true;
    for (const ast::Import &import : file->getImports())
      ok &= loadImport(import, importer, program);
    active.erase(key);
    done.insert(key);
    program.files.push_back(std::move(file));
    return ok;
  }

private:
  static std::string canonical(llvm::StringRef path) {
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(path, real))
      return path.str();
    return std::string(real);
  }

  bool loadImport(const ast::Import &import, llvm::StringRef importer,
                  ParsedProgram &program) {
    llvm::SmallString<256> path(import.path);
    if (!llvm::sys::path::is_absolute(path)) {
      path = llvm::sys::path::parent_path(importer);
      llvm::sys::path::append(path, import.path);
    }
    std::string key = canonical(path);
    if (active.contains(key)) {
      reporter.emitError(import.getLoc(), "import cycle: '" + import.path +
                                              "' is already being imported");
      return false;
    }
    if (done.contains(key))
      return true; // imported once already
    // Only regular files: a device or a FIFO could block or never end.
    if (!llvm::sys::fs::is_regular_file(path)) {
      reporter.emitError(
          import.getLoc(),
          "cannot open imported file '" + std::string(path) + "': " +
              (llvm::sys::fs::exists(path) ? "not a regular file"
                                           : "no such file or directory"));
      return false;
    }
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      reporter.emitError(import.getLoc(),
                         "cannot open imported file '" + std::string(path) +
                             "': " + buffer.getError().message());
      return false;
    }
    unsigned id =
        sourceMgr.AddNewSourceBuffer(std::move(*buffer), import.getLoc());
    return load(id, program);
  }

  llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext *context;
  DiagnosticReporter reporter;
  llvm::StringSet<> active, done;
};

} // namespace

std::unique_ptr<ParsedProgram>
prism::lang::parseProgram(llvm::SourceMgr &sourceMgr, unsigned mainBuffer,
                          mlir::MLIRContext *context) {
  auto program = std::make_unique<ParsedProgram>();
  if (!ImportLoader(sourceMgr, context).load(mainBuffer, *program))
    return nullptr;
  return program;
}

mlir::OwningOpRef<mlir::ModuleOp>
prism::lang::compileToModule(llvm::SourceMgr &sourceMgr, unsigned mainBuffer,
                             mlir::MLIRContext *context) {
  std::unique_ptr<ParsedProgram> program =
      parseProgram(sourceMgr, mainBuffer, context);
  if (!program)
    return nullptr;
  return generateModule(sourceMgr, program->getFiles(), context);
}
