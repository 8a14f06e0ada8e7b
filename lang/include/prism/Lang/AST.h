//===- AST.h - .sae language syntax tree ------------------------*- C++ -*-===//
//
// The syntax tree of a .sae file, as written: names are not resolved and
// nothing is checked beyond the grammar (that is sema's job). Every node
// records the source range it was parsed from. Declarations, statements and
// expressions are class hierarchies with LLVM-style RTTI (isa, dyn_cast);
// parts that never stand alone (identifiers, shape dimensions, `name = expr`
// bindings, comprehensions, imports) are plain values inside their owners.
// Each node owns its children through std::unique_ptr.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_AST_H
#define PRISM_LANG_AST_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace prism::lang::ast {

/// A name as written and where.
struct Identifier {
  std::string name;
  llvm::SMRange range;

  llvm::SMLoc getLoc() const { return range.Start; }
};

//===----------------------------------------------------------------------===//
// Node
//===----------------------------------------------------------------------===//

class Node {
public:
  enum class Kind {
    // Declarations.
    ModelDecl,
    MetricsDecl,
    TrainDecl,
    // Statements.
    InputStmt,
    ParamStmt,
    LetStmt,
    // Expressions.
    NumberExpr,
    NameExpr,
    UnaryExpr,
    BinaryExpr,
    FilterExpr,
    MemberExpr,
    IndexExpr,
    SliceExpr,
    CallExpr,
    ListExpr,
    TupleExpr,
  };

  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;
  virtual ~Node() = default;

  Kind getKind() const { return kind; }
  /// From the first character of the node to just past its last.
  llvm::SMRange getRange() const { return range; }
  llvm::SMLoc getLoc() const { return range.Start; }

protected:
  Node(Kind kind, llvm::SMRange range) : kind(kind), range(range) {}

private:
  Kind kind;
  llvm::SMRange range;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr : public Node {
public:
  static bool classof(const Node *node) {
    return node->getKind() >= Kind::NumberExpr &&
           node->getKind() <= Kind::TupleExpr;
  }

protected:
  using Node::Node;
};

using ExprPtr = std::unique_ptr<Expr>;

/// `NAME = expr`: a hyperparameter, a train setting or a named argument.
class Binding {
public:
  Binding(Identifier name, ExprPtr value)
      : name(std::move(name)), value(std::move(value)) {}

  const Identifier &getName() const { return name; }
  const Expr &getValue() const { return *value; }
  llvm::SMLoc getLoc() const { return name.getLoc(); }

private:
  Identifier name;
  ExprPtr value;
};

/// `512`, `4e-4`, `0.5`, `1.`. A number with a `.` or an exponent is real.
class NumberExpr : public Expr {
public:
  NumberExpr(llvm::SMRange range, llvm::StringRef spelling, bool isInteger,
             int64_t intValue, double value)
      : Expr(Kind::NumberExpr, range), spelling(spelling), integer(isInteger),
        intValue(intValue), value(value) {}

  /// The number as written.
  llvm::StringRef getSpelling() const { return spelling; }
  bool isInteger() const { return integer; }
  /// The value of an integer literal.
  int64_t getInteger() const { return intValue; }
  /// The value of any literal, integers converted.
  double getValue() const { return value; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::NumberExpr;
  }

private:
  std::string spelling;
  bool integer;
  int64_t intValue;
  double value;
};

/// A reference to a hyperparameter, input, parameter, value, model binding,
/// modality or comprehension variable.
class NameExpr : public Expr {
public:
  NameExpr(llvm::SMRange range, llvm::StringRef name)
      : Expr(Kind::NameExpr, range), name(name) {}

  llvm::StringRef getName() const { return name; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::NameExpr;
  }

private:
  std::string name;
};

enum class UnaryOp { Neg };

/// `-e`.
class UnaryExpr : public Expr {
public:
  UnaryExpr(llvm::SMRange range, UnaryOp op, ExprPtr operand)
      : Expr(Kind::UnaryExpr, range), op(op), operand(std::move(operand)) {}

  UnaryOp getOp() const { return op; }
  const Expr &getOperand() const { return *operand; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::UnaryExpr;
  }

private:
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  MatMul,
  Pow,
  Less,
  Greater,
  LessEqual,
  GreaterEqual,
  Equal,
  NotEqual,
};

/// The operator as written: `+`, `@`, `<=`.
llvm::StringRef getSpelling(BinaryOp op);

/// `lhs OP rhs`.
class BinaryExpr : public Expr {
public:
  BinaryExpr(BinaryOp op, llvm::SMLoc opLoc, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::BinaryExpr, {lhs->getRange().Start, rhs->getRange().End}),
        op(op), opLoc(opLoc), lhs(std::move(lhs)), rhs(std::move(rhs)) {}

  BinaryOp getOp() const { return op; }
  /// Where the operator is: shape errors point there.
  llvm::SMLoc getOpLoc() const { return opLoc; }
  const Expr &getLHS() const { return *lhs; }
  const Expr &getRHS() const { return *rhs; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::BinaryExpr;
  }

private:
  BinaryOp op;
  llvm::SMLoc opLoc;
  ExprPtr lhs, rhs;
};

/// `e | image`: the rows of `e` of one modality.
class FilterExpr : public Expr {
public:
  FilterExpr(ExprPtr operand, Identifier modality)
      : Expr(Kind::FilterExpr, {operand->getRange().Start, modality.range.End}),
        operand(std::move(operand)), modality(std::move(modality)) {}

  const Expr &getOperand() const { return *operand; }
  const Identifier &getModality() const { return modality; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::FilterExpr;
  }

private:
  ExprPtr operand;
  Identifier modality;
};

/// `m.z`: a value or parameter of the model bound to `m`.
class MemberExpr : public Expr {
public:
  MemberExpr(ExprPtr base, Identifier member)
      : Expr(Kind::MemberExpr, {base->getRange().Start, member.range.End}),
        base(std::move(base)), member(std::move(member)) {}

  const Expr &getBase() const { return *base; }
  const Identifier &getMember() const { return member; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::MemberExpr;
  }

private:
  ExprPtr base;
  Identifier member;
};

/// `[lo]:[hi]`, either bound omitted. Only ever an index of an IndexExpr.
class SliceExpr : public Expr {
public:
  SliceExpr(llvm::SMRange range, ExprPtr lower, ExprPtr upper)
      : Expr(Kind::SliceExpr, range), lower(std::move(lower)),
        upper(std::move(upper)) {}

  /// The bounds; null where omitted.
  const Expr *getLower() const { return lower.get(); }
  const Expr *getUpper() const { return upper.get(); }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::SliceExpr;
  }

private:
  ExprPtr lower, upper;
};

/// `base[i, ...]`: each index an element (an expression, e.g. `image`) or a
/// SliceExpr (`:p`, `:`).
class IndexExpr : public Expr {
public:
  IndexExpr(llvm::SMRange range, ExprPtr base, std::vector<ExprPtr> indices)
      : Expr(Kind::IndexExpr, range), base(std::move(base)),
        indices(std::move(indices)) {}

  const Expr &getBase() const { return *base; }
  llvm::ArrayRef<ExprPtr> getIndices() const { return indices; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::IndexExpr;
  }

private:
  ExprPtr base;
  std::vector<ExprPtr> indices;
};

/// `for VAR in LIST` inside a call: the call's single argument is evaluated
/// once per element of LIST (a constant list) with VAR bound to it.
class Comprehension {
public:
  Comprehension(llvm::SMLoc forLoc, Identifier var, ExprPtr iterable)
      : forLoc(forLoc), var(std::move(var)), iterable(std::move(iterable)) {}

  /// Where `for` is.
  llvm::SMLoc getLoc() const { return forLoc; }
  const Identifier &getVar() const { return var; }
  /// What VAR runs over.
  const Expr &getIterable() const { return *iterable; }

private:
  llvm::SMLoc forLoc;
  Identifier var;
  ExprPtr iterable;
};

/// `callee(args, name = value)` or `callee(body for var in range)`.
/// Positional arguments all come before named ones.
class CallExpr : public Expr {
public:
  CallExpr(llvm::SMRange range, Identifier callee, std::vector<ExprPtr> args,
           std::vector<Binding> namedArgs,
           std::optional<Comprehension> comprehension)
      : Expr(Kind::CallExpr, range), callee(std::move(callee)),
        args(std::move(args)), namedArgs(std::move(namedArgs)),
        comprehension(std::move(comprehension)) {}

  const Identifier &getCallee() const { return callee; }
  /// The positional arguments; with a comprehension, just its body.
  llvm::ArrayRef<ExprPtr> getArgs() const { return args; }
  llvm::ArrayRef<Binding> getNamedArgs() const { return namedArgs; }
  /// The named argument `name`, or null.
  const Expr *getNamedArg(llvm::StringRef name) const;
  const Comprehension *getComprehension() const {
    return comprehension ? &*comprehension : nullptr;
  }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::CallExpr;
  }

private:
  Identifier callee;
  std::vector<ExprPtr> args;
  std::vector<Binding> namedArgs;
  std::optional<Comprehension> comprehension;
};

/// `[a, b, ...]`, possibly empty.
class ListExpr : public Expr {
public:
  ListExpr(llvm::SMRange range, std::vector<ExprPtr> elements)
      : Expr(Kind::ListExpr, range), elements(std::move(elements)) {}

  llvm::ArrayRef<ExprPtr> getElements() const { return elements; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::ListExpr;
  }

private:
  std::vector<ExprPtr> elements;
};

/// `(a, b, ...)`, at least two elements.
class TupleExpr : public Expr {
public:
  TupleExpr(llvm::SMRange range, std::vector<ExprPtr> elements)
      : Expr(Kind::TupleExpr, range), elements(std::move(elements)) {}

  llvm::ArrayRef<ExprPtr> getElements() const { return elements; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::TupleExpr;
  }

private:
  std::vector<ExprPtr> elements;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

class Stmt : public Node {
public:
  static bool classof(const Node *node) {
    return node->getKind() >= Kind::InputStmt &&
           node->getKind() <= Kind::LetStmt;
  }

protected:
  using Node::Node;
};

/// One dimension of a shape: `batch`, or an expression that sema folds to a
/// constant.
class Dim {
public:
  /// A `batch` dimension.
  explicit Dim(llvm::SMRange range) : range(range) {}
  explicit Dim(ExprPtr size) : range(size->getRange()), size(std::move(size)) {}

  bool isBatch() const { return !size; }
  /// The size expression; null for `batch`.
  const Expr *getSize() const { return size.get(); }
  llvm::SMRange getRange() const { return range; }
  llvm::SMLoc getLoc() const { return range.Start; }

private:
  llvm::SMRange range;
  ExprPtr size;
};

/// `input NAME[dims]`.
class InputStmt : public Stmt {
public:
  InputStmt(llvm::SMRange range, Identifier name, std::vector<Dim> shape)
      : Stmt(Kind::InputStmt, range), name(std::move(name)),
        shape(std::move(shape)) {}

  const Identifier &getName() const { return name; }
  llvm::ArrayRef<Dim> getShape() const { return shape; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::InputStmt;
  }

private:
  Identifier name;
  std::vector<Dim> shape;
};

/// What a parameter keeps true after every optimizer step.
enum class Constraint { None, UnitRows, UnitCols };

/// The constraint as written: `unit_rows`; empty for None.
llvm::StringRef getSpelling(Constraint constraint);

/// `param NAME[dims] = init [: constraint]`.
class ParamStmt : public Stmt {
public:
  ParamStmt(llvm::SMRange range, Identifier name, std::vector<Dim> shape,
            ExprPtr init, Constraint constraint, llvm::SMRange constraintRange)
      : Stmt(Kind::ParamStmt, range), name(std::move(name)),
        shape(std::move(shape)), init(std::move(init)), constraint(constraint),
        constraintRange(constraintRange) {}

  const Identifier &getName() const { return name; }
  llvm::ArrayRef<Dim> getShape() const { return shape; }
  /// The initialiser: a number or a call such as `kaiming()`.
  const Expr &getInit() const { return *init; }
  Constraint getConstraint() const { return constraint; }
  /// Where the constraint is written; empty for None.
  llvm::SMRange getConstraintRange() const { return constraintRange; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::ParamStmt;
  }

private:
  Identifier name;
  std::vector<Dim> shape;
  ExprPtr init;
  Constraint constraint;
  llvm::SMRange constraintRange;
};

/// `NAME = expr`: a named value of a model, or a metric.
class LetStmt : public Stmt {
public:
  LetStmt(llvm::SMRange range, Identifier name, ExprPtr value)
      : Stmt(Kind::LetStmt, range), name(std::move(name)),
        value(std::move(value)) {}

  const Identifier &getName() const { return name; }
  const Expr &getValue() const { return *value; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::LetStmt;
  }

private:
  Identifier name;
  ExprPtr value;
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

class Decl : public Node {
public:
  static bool classof(const Node *node) {
    return node->getKind() >= Kind::ModelDecl &&
           node->getKind() <= Kind::TrainDecl;
  }

protected:
  using Node::Node;
};

/// `model NAME(hyper = value, ...) { stmt* }`.
class ModelDecl : public Decl {
public:
  ModelDecl(llvm::SMRange range, Identifier name,
            std::vector<Binding> hyperparameters,
            std::vector<std::unique_ptr<Stmt>> body)
      : Decl(Kind::ModelDecl, range), name(std::move(name)),
        hyperparameters(std::move(hyperparameters)), body(std::move(body)) {}

  const Identifier &getName() const { return name; }
  llvm::ArrayRef<Binding> getHyperparameters() const { return hyperparameters; }
  /// Inputs, parameters and values, in source order.
  llvm::ArrayRef<std::unique_ptr<Stmt>> getBody() const { return body; }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::ModelDecl;
  }

private:
  Identifier name;
  std::vector<Binding> hyperparameters;
  std::vector<std::unique_ptr<Stmt>> body;
};

/// Whether a metrics block runs over every row or over aligned pairs.
enum class MetricsDomain { Rows, Pairs };

/// `metrics NAME(binding : Model) over rows|pairs { name = expr ... }`.
class MetricsDecl : public Decl {
public:
  MetricsDecl(llvm::SMRange range, Identifier name, Identifier binding,
              Identifier model, MetricsDomain domain, llvm::SMRange domainRange,
              std::vector<std::unique_ptr<LetStmt>> metrics)
      : Decl(Kind::MetricsDecl, range), name(std::move(name)),
        binding(std::move(binding)), model(std::move(model)), domain(domain),
        domainRange(domainRange), metrics(std::move(metrics)) {}

  const Identifier &getName() const { return name; }
  /// The name the model goes by inside the block (`m` in `m.z`).
  const Identifier &getBinding() const { return binding; }
  /// The model measured.
  const Identifier &getModel() const { return model; }
  MetricsDomain getDomain() const { return domain; }
  /// Where `rows` or `pairs` is written.
  llvm::SMRange getDomainRange() const { return domainRange; }
  llvm::ArrayRef<std::unique_ptr<LetStmt>> getMetrics() const {
    return metrics;
  }

  static bool classof(const Node *node) {
    return node->getKind() == Kind::MetricsDecl;
  }

private:
  Identifier name, binding, model;
  MetricsDomain domain;
  llvm::SMRange domainRange;
  std::vector<std::unique_ptr<LetStmt>> metrics;
};

/// `train MODEL { setting = value ... }`.
class TrainDecl : public Decl {
public:
  TrainDecl(llvm::SMRange range, Identifier model,
            std::vector<Binding> settings)
      : Decl(Kind::TrainDecl, range), model(std::move(model)),
        settings(std::move(settings)) {}

  const Identifier &getModel() const { return model; }
  llvm::ArrayRef<Binding> getSettings() const { return settings; }
  /// The setting `name`, or null.
  const Expr *getSetting(llvm::StringRef name) const;

  static bool classof(const Node *node) {
    return node->getKind() == Kind::TrainDecl;
  }

private:
  Identifier model;
  std::vector<Binding> settings;
};

//===----------------------------------------------------------------------===//
// File
//===----------------------------------------------------------------------===//

/// `import "path"`: the path as written, escapes resolved.
struct Import {
  std::string path;
  llvm::SMRange range;

  llvm::SMLoc getLoc() const { return range.Start; }
};

/// A whole .sae file: imports, then declarations in source order.
class File {
public:
  File(std::vector<Import> imports, std::vector<std::unique_ptr<Decl>> decls)
      : imports(std::move(imports)), decls(std::move(decls)) {}

  llvm::ArrayRef<Import> getImports() const { return imports; }
  llvm::ArrayRef<std::unique_ptr<Decl>> getDecls() const { return decls; }

private:
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Decl>> decls;
};

} // namespace prism::lang::ast

#endif // PRISM_LANG_AST_H
