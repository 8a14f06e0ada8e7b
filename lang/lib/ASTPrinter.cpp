//===- ASTPrinter.cpp - Dump a .sae syntax tree -----------------*- C++ -*-===//

#include "prism/Lang/ASTPrinter.h"
#include "prism/Lang/AST.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <vector>

using namespace prism::lang;
using namespace prism::lang::ast;

namespace {

/// Line and column of a location in O(log n). SourceMgr finds a column by
/// scanning back to the start of the line, which is quadratic over the nodes
/// of one long line.
class LineTable {
public:
  LineTable(const llvm::SourceMgr &sourceMgr) : sourceMgr(sourceMgr) {}

  std::pair<unsigned, unsigned> getLineAndColumn(llvm::SMLoc loc);

private:
  const llvm::SourceMgr &sourceMgr;
  /// The buffer indexed last, and where its lines start.
  llvm::StringRef buffer;
  std::vector<const char *> lineStarts;
};

class ASTPrinter {
public:
  ASTPrinter(const llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : lines(sourceMgr), os(os) {}

  void print(const File &file);

private:
  /// Starts a line at the current indentation.
  llvm::raw_ostream &start() { return os.indent(2 * indent); }
  /// Ends a line with `loc` as ` (line:col)`.
  void end(llvm::SMLoc loc);
  /// Prints `children` one level deeper.
  template <typename Fn> void nested(Fn children) {
    ++indent;
    children();
    --indent;
  }

  void print(const Decl &decl);
  void print(const Stmt &stmt, llvm::StringRef letLabel);
  void print(const Expr &expr);
  void print(const Dim &dim);
  /// `label = value (loc)` for a name or number, else `label (loc)` and the
  /// value's tree beneath.
  void printSlot(const llvm::Twine &label, llvm::SMLoc loc, const Expr &value);

  LineTable lines;
  llvm::raw_ostream &os;
  unsigned indent = 0;
};

} // namespace

/// The spelling of a name or number, which prints inline; empty otherwise.
static llvm::StringRef getLeafSpelling(const Expr &expr) {
  if (const auto *number = llvm::dyn_cast<NumberExpr>(&expr))
    return number->getSpelling();
  if (const auto *name = llvm::dyn_cast<NameExpr>(&expr))
    return name->getName();
  return "";
}

std::pair<unsigned, unsigned> LineTable::getLineAndColumn(llvm::SMLoc loc) {
  const char *ptr = loc.getPointer();
  if (ptr < buffer.begin() || ptr > buffer.end()) {
    unsigned bufferID = sourceMgr.FindBufferContainingLoc(loc);
    if (!bufferID)
      return {0, 0};
    buffer = sourceMgr.getMemoryBuffer(bufferID)->getBuffer();
    lineStarts.assign(1, buffer.begin());
    for (const char *p = buffer.begin(), *e = buffer.end(); p != e; ++p)
      if (*p == '\n')
        lineStarts.push_back(p + 1);
  }
  auto next = std::upper_bound(lineStarts.begin(), lineStarts.end(), ptr);
  return {static_cast<unsigned>(next - lineStarts.begin()),
          static_cast<unsigned>(ptr - next[-1] + 1)};
}

void ASTPrinter::end(llvm::SMLoc loc) {
  auto [line, column] = lines.getLineAndColumn(loc);
  os << " (" << line << ":" << column << ")\n";
}

void ASTPrinter::printSlot(const llvm::Twine &label, llvm::SMLoc loc,
                           const Expr &value) {
  llvm::StringRef leaf = getLeafSpelling(value);
  start() << label;
  if (!leaf.empty()) {
    os << " = " << leaf;
    end(loc);
    return;
  }
  end(loc);
  nested([&] { print(value); });
}

void ASTPrinter::print(const File &file) {
  for (const Import &import : file.getImports()) {
    start() << "import \"";
    os.write_escaped(import.path);
    os << "\"";
    end(import.getLoc());
  }
  for (const std::unique_ptr<Decl> &decl : file.getDecls())
    print(*decl);
}

void ASTPrinter::print(const Decl &decl) {
  llvm::TypeSwitch<const Decl *>(&decl)
      .Case([&](const ModelDecl *model) {
        start() << "model " << model->getName().name;
        end(model->getLoc());
        nested([&] {
          for (const Binding &hyper : model->getHyperparameters())
            printSlot("hyper " + hyper.getName().name, hyper.getLoc(),
                      hyper.getValue());
          for (const std::unique_ptr<Stmt> &stmt : model->getBody())
            print(*stmt, "let");
        });
      })
      .Case([&](const MetricsDecl *metrics) {
        start() << "metrics " << metrics->getName().name << " ("
                << metrics->getBinding().name << " : "
                << metrics->getModel().name << ") over "
                << (metrics->getDomain() == MetricsDomain::Rows ? "rows"
                                                                : "pairs");
        end(metrics->getLoc());
        nested([&] {
          for (const std::unique_ptr<LetStmt> &metric : metrics->getMetrics())
            print(*metric, "metric");
        });
      })
      .Case([&](const TrainDecl *train) {
        start() << "train " << train->getModel().name;
        end(train->getLoc());
        nested([&] {
          for (const Binding &setting : train->getSettings())
            printSlot("setting " + setting.getName().name, setting.getLoc(),
                      setting.getValue());
        });
      });
}

void ASTPrinter::print(const Stmt &stmt, llvm::StringRef letLabel) {
  llvm::TypeSwitch<const Stmt *>(&stmt)
      .Case([&](const InputStmt *input) {
        start() << "input " << input->getName().name;
        end(input->getLoc());
        nested([&] {
          for (const Dim &dim : input->getShape())
            print(dim);
        });
      })
      .Case([&](const ParamStmt *param) {
        start() << "param " << param->getName().name;
        if (param->getConstraint() != Constraint::None)
          os << " : " << getSpelling(param->getConstraint());
        end(param->getLoc());
        nested([&] {
          for (const Dim &dim : param->getShape())
            print(dim);
          printSlot("init", param->getInit().getLoc(), param->getInit());
        });
      })
      .Case([&](const LetStmt *let) {
        printSlot(letLabel + " " + let->getName().name, let->getLoc(),
                  let->getValue());
      });
}

void ASTPrinter::print(const Dim &dim) {
  if (dim.isBatch()) {
    start() << "dim batch";
    end(dim.getLoc());
    return;
  }
  llvm::StringRef leaf = getLeafSpelling(*dim.getSize());
  start() << "dim";
  if (!leaf.empty()) {
    os << " " << leaf;
    end(dim.getLoc());
    return;
  }
  end(dim.getLoc());
  nested([&] { print(*dim.getSize()); });
}

void ASTPrinter::print(const Expr &expr) {
  llvm::TypeSwitch<const Expr *>(&expr)
      .Case([&](const NumberExpr *number) {
        start() << (number->isInteger() ? "integer " : "real ")
                << number->getSpelling();
        end(number->getLoc());
      })
      .Case([&](const NameExpr *name) {
        start() << "name " << name->getName();
        end(name->getLoc());
      })
      .Case([&](const UnaryExpr *unary) {
        start() << "neg";
        end(unary->getLoc());
        nested([&] { print(unary->getOperand()); });
      })
      .Case([&](const BinaryExpr *binary) {
        start() << "binary " << getSpelling(binary->getOp());
        end(binary->getOpLoc());
        nested([&] {
          print(binary->getLHS());
          print(binary->getRHS());
        });
      })
      .Case([&](const FilterExpr *filter) {
        start() << "filter " << filter->getModality().name;
        end(filter->getLoc());
        nested([&] { print(filter->getOperand()); });
      })
      .Case([&](const MemberExpr *member) {
        start() << "member " << member->getMember().name;
        end(member->getLoc());
        nested([&] { print(member->getBase()); });
      })
      .Case([&](const IndexExpr *index) {
        start() << "index";
        end(index->getLoc());
        nested([&] {
          print(index->getBase());
          for (const ExprPtr &element : index->getIndices())
            print(*element);
        });
      })
      .Case([&](const SliceExpr *slice) {
        start() << "slice";
        end(slice->getLoc());
        nested([&] {
          if (const Expr *lower = slice->getLower())
            printSlot("lower", lower->getLoc(), *lower);
          if (const Expr *upper = slice->getUpper())
            printSlot("upper", upper->getLoc(), *upper);
        });
      })
      .Case([&](const CallExpr *call) {
        start() << "call " << call->getCallee().name;
        end(call->getLoc());
        nested([&] {
          for (const ExprPtr &arg : call->getArgs())
            print(*arg);
          for (const Binding &arg : call->getNamedArgs())
            printSlot("arg " + arg.getName().name, arg.getLoc(),
                      arg.getValue());
          if (const Comprehension *comprehension = call->getComprehension()) {
            start() << "for " << comprehension->getVar().name << " in";
            end(comprehension->getLoc());
            nested([&] { print(comprehension->getIterable()); });
          }
        });
      })
      .Case([&](const ListExpr *list) {
        start() << "list";
        end(list->getLoc());
        nested([&] {
          for (const ExprPtr &element : list->getElements())
            print(*element);
        });
      })
      .Case([&](const TupleExpr *tuple) {
        start() << "tuple";
        end(tuple->getLoc());
        nested([&] {
          for (const ExprPtr &element : tuple->getElements())
            print(*element);
        });
      });
}

void prism::lang::printAST(const File &file, const llvm::SourceMgr &sourceMgr,
                           llvm::raw_ostream &os) {
  ASTPrinter(sourceMgr, os).print(file);
}
