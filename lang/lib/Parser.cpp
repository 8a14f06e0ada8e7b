//===- Parser.cpp - .sae language parser ------------------------*- C++ -*-===//
//
// Recursive descent over the grammar of docs/language.md, one function per
// rule. Functions that build a node return it, or null after reporting an
// error; the block loops then skip to the next statement and go on.
//
//===----------------------------------------------------------------------===//

#include "prism/Lang/Parser.h"
#include "prism/Lang/Diagnostics.h"
#include "prism/Lang/Lexer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>

using namespace prism::lang;
using namespace prism::lang::ast;
using llvm::SMLoc;
using llvm::SMRange;
using llvm::Twine;
using mlir::failure;
using mlir::LogicalResult;
using mlir::success;

namespace {

class Parser {
public:
  Parser(const llvm::SourceMgr &sourceMgr, unsigned bufferID,
         mlir::MLIRContext *context)
      : diags(sourceMgr, context), lexer(sourceMgr, bufferID, diags),
        curToken(lexer.lex()) {}

  std::unique_ptr<File> parseFile();

private:
  /// Deeper expressions are refused: the passes after the parser recurse
  /// over the tree too, and must not run out of stack.
  static constexpr unsigned kMaxNesting = 256;

  //===--------------------------------------------------------------------===//
  // Tokens
  //===--------------------------------------------------------------------===//

  void consumeToken();
  const Token &peekToken();
  bool consumeIf(Token::Kind kind);
  /// The range from `start` to the end of the last token consumed.
  SMRange rangeFrom(SMLoc start) const { return {start, prevTokenEnd}; }
  /// Identifiers and keywords: names of train settings and named arguments
  /// may be keywords (`batch = 512`).
  static bool isNameLike(const Token &token) {
    return token.is(Token::identifier) || token.isKeyword();
  }
  static bool canStartExpr(const Token &token) {
    return token.isAny(Token::identifier, Token::integer, Token::real,
                       Token::l_paren, Token::l_square, Token::minus);
  }

  //===--------------------------------------------------------------------===//
  // Diagnostics and recovery
  //===--------------------------------------------------------------------===//

  LogicalResult emitError(SMLoc loc, const Twine &msg) {
    (void)diags.emitError(loc, msg);
    return failure();
  }
  /// Reports `expected <expected>, found <current token>`; nothing for an
  /// error token, which the lexer has reported already.
  LogicalResult emitErrorExpected(const Twine &expected);
  /// Consumes a token of `kind`, or reports that `expected` was expected.
  LogicalResult expect(Token::Kind kind, const Twine &expected);
  /// Parses an identifier (not a keyword) into `result`.
  LogicalResult parseIdentifier(Identifier &result, const Twine &expected);
  /// Parses `NAME = expr` where the current token is NAME.
  LogicalResult parseAssignment(Identifier &name, ExprPtr &value);
  std::optional<Binding> parseBinding();

  /// Skips to where a statement or setting can start: `input`, `param`, a
  /// `}`, a declaration keyword, or a name followed by `=` that starts a
  /// line, unless that line continues an open bracket (the line before ends
  /// in `(`, `[` or `,`: a named argument, not a statement).
  void skipToStatement();
  /// Skips to the next declaration keyword.
  void skipToDecl();

  //===--------------------------------------------------------------------===//
  // Declarations and statements
  //===--------------------------------------------------------------------===//

  LogicalResult parseImport(std::vector<Import> &imports);
  std::unique_ptr<Decl> parseDecl();
  std::unique_ptr<Decl> parseModelDecl();
  std::unique_ptr<Decl> parseMetricsDecl();
  std::unique_ptr<Decl> parseTrainDecl();
  /// Parses `'{' item* '}'`, calling `parseItem` at each item and recovering
  /// at the next one after an error. `what` names the block in messages.
  LogicalResult parseBlock(const Twine &what,
                           llvm::function_ref<LogicalResult()> parseItem);

  std::unique_ptr<Stmt> parseStmt();
  std::unique_ptr<Stmt> parseInputStmt();
  std::unique_ptr<Stmt> parseParamStmt();
  std::unique_ptr<LetStmt> parseLetStmt();
  LogicalResult parseShape(const Identifier &owner, std::vector<Dim> &dims);

  //===--------------------------------------------------------------------===//
  // Expressions, lowest precedence first
  //===--------------------------------------------------------------------===//

  /// Counts one level of nesting until the caller's NestingScope ends.
  LogicalResult enterNesting();

  ExprPtr parseExpr();
  ExprPtr parseCompare();
  ExprPtr parseFilter();
  ExprPtr parseAdditive();
  ExprPtr parseMultiplicative();
  ExprPtr parseUnary();
  ExprPtr parsePower();
  ExprPtr parsePostfix();
  ExprPtr parseIndex();
  ExprPtr parsePrimary();
  ExprPtr parseNumber();
  ExprPtr parseCall();
  ExprPtr parseParenOrTuple();
  ExprPtr parseList();

  DiagnosticReporter diags;
  Lexer lexer;
  Token curToken;
  std::optional<Token> nextToken;
  SMLoc prevTokenEnd;
  Token::Kind prevTokenKind = Token::eof;
  /// Unclosed `(` and `[` consumed, which recovery takes into account.
  unsigned bracketDepth = 0;
  unsigned nesting = 0;
};

/// Restores the parser's nesting count when a parse function returns.
class NestingScope {
public:
  explicit NestingScope(unsigned &nesting) : nesting(nesting), saved(nesting) {}
  ~NestingScope() { nesting = saved; }

private:
  unsigned &nesting;
  unsigned saved;
};

} // namespace

//===----------------------------------------------------------------------===//
// Tokens
//===----------------------------------------------------------------------===//

void Parser::consumeToken() {
  if (curToken.is(Token::eof))
    return;
  if (curToken.isAny(Token::l_paren, Token::l_square))
    ++bracketDepth;
  else if (curToken.isAny(Token::r_paren, Token::r_square) && bracketDepth)
    --bracketDepth;
  prevTokenEnd = curToken.getEndLoc();
  prevTokenKind = curToken.getKind();
  if (nextToken) {
    curToken = *nextToken;
    nextToken.reset();
  } else {
    curToken = lexer.lex();
  }
}

const Token &Parser::peekToken() {
  if (!nextToken)
    nextToken = lexer.lex();
  return *nextToken;
}

bool Parser::consumeIf(Token::Kind kind) {
  if (!curToken.is(kind))
    return false;
  consumeToken();
  return true;
}

//===----------------------------------------------------------------------===//
// Diagnostics and recovery
//===----------------------------------------------------------------------===//

LogicalResult Parser::emitErrorExpected(const Twine &expected) {
  if (curToken.is(Token::error))
    return failure();
  // At the end of the file, point just past the last token, not at the
  // empty line that may follow it.
  SMLoc loc = curToken.is(Token::eof) && prevTokenEnd.isValid()
                  ? prevTokenEnd
                  : curToken.getLoc();
  return emitError(loc,
                   "expected " + expected + ", found " + curToken.describe());
}

LogicalResult Parser::expect(Token::Kind kind, const Twine &expected) {
  if (consumeIf(kind))
    return success();
  return emitErrorExpected(expected);
}

LogicalResult Parser::parseIdentifier(Identifier &result,
                                      const Twine &expected) {
  if (!curToken.is(Token::identifier))
    return emitErrorExpected(expected);
  result = {curToken.getSpelling().str(), curToken.getRange()};
  consumeToken();
  return success();
}

LogicalResult Parser::parseAssignment(Identifier &name, ExprPtr &value) {
  name = {curToken.getSpelling().str(), curToken.getRange()};
  consumeToken();
  if (failed(expect(Token::equal, "'=' after '" + name.name + "'")))
    return failure();
  value = parseExpr();
  return success(value != nullptr);
}

std::optional<Binding> Parser::parseBinding() {
  Identifier name;
  ExprPtr value;
  if (failed(parseAssignment(name, value)))
    return std::nullopt;
  return Binding(std::move(name), std::move(value));
}

void Parser::skipToStatement() {
  while (!diags.hasGivenUp()) {
    switch (curToken.getKind()) {
    case Token::eof:
    case Token::r_brace:
    case Token::kw_input:
    case Token::kw_param:
    case Token::kw_model:
    case Token::kw_metrics:
    case Token::kw_train:
    case Token::kw_import:
      bracketDepth = 0;
      return;
    default:
      if (isNameLike(curToken) && curToken.isAtStartOfLine() &&
          peekToken().is(Token::equal) &&
          (bracketDepth == 0 ||
           !llvm::is_contained({Token::l_paren, Token::l_square, Token::comma},
                               prevTokenKind))) {
        bracketDepth = 0;
        return;
      }
      consumeToken();
    }
  }
}

void Parser::skipToDecl() {
  while (!curToken.isAny(Token::eof, Token::kw_model, Token::kw_metrics,
                         Token::kw_train, Token::kw_import))
    consumeToken();
  bracketDepth = 0;
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// file := import* decl*
std::unique_ptr<File> Parser::parseFile() {
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Decl>> decls;
  while (!curToken.is(Token::eof) && !diags.hasGivenUp()) {
    const char *before = curToken.getLoc().getPointer();
    if (curToken.is(Token::kw_import)) {
      if (!decls.empty())
        (void)emitError(curToken.getLoc(),
                        "'import' must come before the first declaration");
      if (failed(parseImport(imports)))
        skipToDecl();
      continue;
    }
    if (std::unique_ptr<Decl> decl = parseDecl()) {
      decls.push_back(std::move(decl));
      continue;
    }
    skipToDecl();
    // A declaration keyword the declaration could not start with: move on.
    if (curToken.getLoc().getPointer() == before)
      consumeToken();
  }
  if (diags.getNumErrors())
    return nullptr;
  return std::make_unique<File>(std::move(imports), std::move(decls));
}

/// import := 'import' STRING
LogicalResult Parser::parseImport(std::vector<Import> &imports) {
  SMLoc start = curToken.getLoc();
  consumeToken();
  if (!curToken.is(Token::string))
    return emitErrorExpected("a file name string after 'import'");
  std::string path = curToken.getStringValue();
  consumeToken();
  imports.push_back({std::move(path), rangeFrom(start)});
  return success();
}

/// decl := model | metrics | train
std::unique_ptr<Decl> Parser::parseDecl() {
  switch (curToken.getKind()) {
  case Token::kw_model:
    return parseModelDecl();
  case Token::kw_metrics:
    return parseMetricsDecl();
  case Token::kw_train:
    return parseTrainDecl();
  default:
    (void)emitErrorExpected("'model', 'metrics', 'train' or 'import'");
    return nullptr;
  }
}

LogicalResult
Parser::parseBlock(const Twine &what,
                   llvm::function_ref<LogicalResult()> parseItem) {
  if (failed(expect(Token::l_brace, "'{' to open the body of " + what)))
    return failure();
  bool hadError = false;
  while (!consumeIf(Token::r_brace)) {
    if (diags.hasGivenUp())
      return failure();
    // A missing '}' shows as the next declaration or the end of the file.
    if (curToken.isAny(Token::eof, Token::kw_model, Token::kw_metrics,
                       Token::kw_train, Token::kw_import))
      return emitErrorExpected("'}' to close " + what);
    const char *before = curToken.getLoc().getPointer();
    if (succeeded(parseItem()))
      continue;
    hadError = true;
    skipToStatement();
    // A statement keyword out of place (`input` in a train block): skip
    // past it, or the loop never ends.
    if (curToken.getLoc().getPointer() == before) {
      consumeToken();
      skipToStatement();
    }
  }
  return failure(hadError);
}

/// model := 'model' IDENT '(' [hyper (',' hyper)*] ')' '{' stmt* '}'
/// hyper := IDENT '=' expr
std::unique_ptr<Decl> Parser::parseModelDecl() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  Identifier name;
  if (failed(parseIdentifier(name, "a model name after 'model'")) ||
      failed(expect(Token::l_paren,
                    "'(' after the model name '" + name.name + "'")))
    return nullptr;

  std::vector<Binding> hyperparameters;
  if (!consumeIf(Token::r_paren)) {
    do {
      if (!curToken.is(Token::identifier)) {
        (void)emitErrorExpected("a hyperparameter name");
        return nullptr;
      }
      std::optional<Binding> hyper = parseBinding();
      if (!hyper)
        return nullptr;
      hyperparameters.push_back(std::move(*hyper));
    } while (consumeIf(Token::comma));
    if (failed(expect(Token::r_paren, "',' or ')' in the hyperparameters of "
                                      "model '" +
                                          name.name + "'")))
      return nullptr;
  }

  std::vector<std::unique_ptr<Stmt>> body;
  if (failed(parseBlock("model '" + name.name + "'", [&]() -> LogicalResult {
        std::unique_ptr<Stmt> stmt = parseStmt();
        if (!stmt)
          return failure();
        body.push_back(std::move(stmt));
        return success();
      })))
    return nullptr;
  return std::make_unique<ModelDecl>(rangeFrom(start), std::move(name),
                                     std::move(hyperparameters),
                                     std::move(body));
}

/// metrics := 'metrics' IDENT '(' IDENT ':' IDENT ')' 'over' ('rows' |
///            'pairs') '{' (IDENT '=' expr)* '}'
std::unique_ptr<Decl> Parser::parseMetricsDecl() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  Identifier name, binding, model;
  if (failed(parseIdentifier(name, "a metrics name after 'metrics'")) ||
      failed(expect(Token::l_paren,
                    "'(' after the metrics name '" + name.name + "'")) ||
      failed(parseIdentifier(binding, "a name for the model measured, as in "
                                      "'(m : topk)'")) ||
      failed(expect(Token::colon, "':' after '" + binding.name + "'")) ||
      failed(parseIdentifier(model, "a model name after ':'")) ||
      failed(expect(Token::r_paren,
                    "')' after the model of metrics '" + name.name + "'")) ||
      failed(expect(Token::kw_over,
                    "'over' after the model of metrics '" + name.name + "'")))
    return nullptr;

  if (!curToken.isAny(Token::kw_rows, Token::kw_pairs)) {
    (void)emitErrorExpected("'rows' or 'pairs' after 'over'");
    return nullptr;
  }
  MetricsDomain domain =
      curToken.is(Token::kw_rows) ? MetricsDomain::Rows : MetricsDomain::Pairs;
  SMRange domainRange = curToken.getRange();
  consumeToken();

  std::vector<std::unique_ptr<LetStmt>> metrics;
  if (failed(parseBlock("metrics '" + name.name + "'", [&]() -> LogicalResult {
        if (!curToken.is(Token::identifier))
          return emitErrorExpected("a metric (NAME = expr)");
        std::unique_ptr<LetStmt> metric = parseLetStmt();
        if (!metric)
          return failure();
        metrics.push_back(std::move(metric));
        return success();
      })))
    return nullptr;
  return std::make_unique<MetricsDecl>(rangeFrom(start), std::move(name),
                                       std::move(binding), std::move(model),
                                       domain, domainRange, std::move(metrics));
}

/// train := 'train' IDENT '{' (IDENT '=' expr)* '}'
std::unique_ptr<Decl> Parser::parseTrainDecl() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  Identifier model;
  if (failed(parseIdentifier(model, "a model name after 'train'")))
    return nullptr;

  std::vector<Binding> settings;
  if (failed(parseBlock("train '" + model.name + "'", [&]() -> LogicalResult {
        // `batch = 512`: a keyword can name a setting.
        if (!curToken.is(Token::identifier) &&
            !(curToken.isKeyword() && peekToken().is(Token::equal)))
          return emitErrorExpected("a setting (NAME = expr)");
        std::optional<Binding> setting = parseBinding();
        if (!setting)
          return failure();
        settings.push_back(std::move(*setting));
        return success();
      })))
    return nullptr;
  return std::make_unique<TrainDecl>(rangeFrom(start), std::move(model),
                                     std::move(settings));
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// stmt := 'input' IDENT shape
///       | 'param' IDENT shape '=' expr [':' constraint]
///       | IDENT '=' expr
std::unique_ptr<Stmt> Parser::parseStmt() {
  switch (curToken.getKind()) {
  case Token::kw_input:
    return parseInputStmt();
  case Token::kw_param:
    return parseParamStmt();
  case Token::identifier:
    return parseLetStmt();
  default:
    (void)emitErrorExpected("a statement ('input', 'param' or NAME = expr)");
    return nullptr;
  }
}

std::unique_ptr<Stmt> Parser::parseInputStmt() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  Identifier name;
  std::vector<Dim> shape;
  if (failed(parseIdentifier(name, "a name after 'input'")) ||
      failed(parseShape(name, shape)))
    return nullptr;
  return std::make_unique<InputStmt>(rangeFrom(start), std::move(name),
                                     std::move(shape));
}

/// constraint := 'unit_rows' | 'unit_cols'
std::unique_ptr<Stmt> Parser::parseParamStmt() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  Identifier name;
  std::vector<Dim> shape;
  if (failed(parseIdentifier(name, "a name after 'param'")) ||
      failed(parseShape(name, shape)) ||
      failed(expect(Token::equal, "'=' and an initialiser after the shape "
                                  "of '" +
                                      name.name + "'")))
    return nullptr;
  ExprPtr init = parseExpr();
  if (!init)
    return nullptr;

  Constraint constraint = Constraint::None;
  SMRange constraintRange;
  if (consumeIf(Token::colon)) {
    if (!curToken.is(Token::identifier)) {
      (void)emitErrorExpected(
          "a constraint ('unit_rows' or 'unit_cols') after ':'");
      return nullptr;
    }
    llvm::StringRef spelling = curToken.getSpelling();
    if (spelling == "unit_rows") {
      constraint = Constraint::UnitRows;
    } else if (spelling == "unit_cols") {
      constraint = Constraint::UnitCols;
    } else {
      (void)emitError(curToken.getLoc(),
                      "unknown constraint '" + spelling +
                          "'; expected 'unit_rows' or 'unit_cols'");
      return nullptr;
    }
    constraintRange = curToken.getRange();
    consumeToken();
  }
  return std::make_unique<ParamStmt>(rangeFrom(start), std::move(name),
                                     std::move(shape), std::move(init),
                                     constraint, constraintRange);
}

std::unique_ptr<LetStmt> Parser::parseLetStmt() {
  SMLoc start = curToken.getLoc();
  Identifier name;
  ExprPtr value;
  if (failed(parseAssignment(name, value)))
    return nullptr;
  return std::make_unique<LetStmt>(rangeFrom(start), std::move(name),
                                   std::move(value));
}

/// shape := '[' dim (',' dim)* ']'
/// dim   := 'batch' | expr
LogicalResult Parser::parseShape(const Identifier &owner,
                                 std::vector<Dim> &dims) {
  if (failed(expect(Token::l_square,
                    "'[' to open the shape of '" + owner.name + "'")))
    return failure();
  do {
    if (curToken.is(Token::kw_batch)) {
      dims.emplace_back(curToken.getRange());
      consumeToken();
      continue;
    }
    if (!canStartExpr(curToken))
      return emitErrorExpected("a dimension ('batch' or a constant) in the "
                               "shape of '" +
                               owner.name + "'");
    ExprPtr size = parseExpr();
    if (!size)
      return failure();
    dims.emplace_back(std::move(size));
  } while (consumeIf(Token::comma));
  return expect(Token::r_square,
                "',' or ']' in the shape of '" + owner.name + "'");
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

LogicalResult Parser::enterNesting() {
  if (++nesting <= kMaxNesting)
    return success();
  return emitError(curToken.getLoc(), "expression nested too deeply (more "
                                      "than " +
                                          Twine(kMaxNesting) + " levels)");
}

/// expr := compare
ExprPtr Parser::parseExpr() {
  NestingScope scope(nesting);
  if (failed(enterNesting()))
    return nullptr;
  return parseCompare();
}

static std::optional<BinaryOp> getCompareOp(Token::Kind kind) {
  switch (kind) {
  case Token::less:
    return BinaryOp::Less;
  case Token::greater:
    return BinaryOp::Greater;
  case Token::less_equal:
    return BinaryOp::LessEqual;
  case Token::greater_equal:
    return BinaryOp::GreaterEqual;
  case Token::equal_equal:
    return BinaryOp::Equal;
  case Token::not_equal:
    return BinaryOp::NotEqual;
  default:
    return std::nullopt;
  }
}

/// compare := filter [('>' | '<' | '>=' | '<=' | '==' | '!=') filter]
ExprPtr Parser::parseCompare() {
  ExprPtr lhs = parseFilter();
  if (!lhs)
    return nullptr;
  std::optional<BinaryOp> op = getCompareOp(curToken.getKind());
  if (!op)
    return lhs;
  SMLoc opLoc = curToken.getLoc();
  consumeToken();
  ExprPtr rhs = parseFilter();
  if (!rhs)
    return nullptr;
  if (getCompareOp(curToken.getKind())) {
    (void)emitError(curToken.getLoc(),
                    "comparisons do not chain; use parentheses");
    return nullptr;
  }
  return std::make_unique<BinaryExpr>(*op, opLoc, std::move(lhs),
                                      std::move(rhs));
}

/// filter := additive ['|' IDENT]
ExprPtr Parser::parseFilter() {
  ExprPtr operand = parseAdditive();
  if (!operand || !consumeIf(Token::pipe))
    return operand;
  Identifier modality;
  if (failed(parseIdentifier(modality, "a modality name after '|'")))
    return nullptr;
  if (curToken.is(Token::pipe)) {
    (void)emitError(curToken.getLoc(), "filters do not chain; use parentheses");
    return nullptr;
  }
  return std::make_unique<FilterExpr>(std::move(operand), std::move(modality));
}

/// additive := multiplicative (('+' | '-') multiplicative)*
ExprPtr Parser::parseAdditive() {
  NestingScope scope(nesting);
  ExprPtr lhs = parseMultiplicative();
  while (lhs && curToken.isAny(Token::plus, Token::minus)) {
    BinaryOp op = curToken.is(Token::plus) ? BinaryOp::Add : BinaryOp::Sub;
    SMLoc opLoc = curToken.getLoc();
    if (failed(enterNesting()))
      return nullptr;
    consumeToken();
    ExprPtr rhs = parseMultiplicative();
    if (!rhs)
      return nullptr;
    lhs =
        std::make_unique<BinaryExpr>(op, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// multiplicative := unary (('*' | '/' | '@') unary)*
ExprPtr Parser::parseMultiplicative() {
  NestingScope scope(nesting);
  ExprPtr lhs = parseUnary();
  while (lhs && curToken.isAny(Token::star, Token::slash, Token::at)) {
    BinaryOp op = curToken.is(Token::star)    ? BinaryOp::Mul
                  : curToken.is(Token::slash) ? BinaryOp::Div
                                              : BinaryOp::MatMul;
    SMLoc opLoc = curToken.getLoc();
    if (failed(enterNesting()))
      return nullptr;
    consumeToken();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs =
        std::make_unique<BinaryExpr>(op, opLoc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// unary := '-' unary | power
ExprPtr Parser::parseUnary() {
  if (!curToken.is(Token::minus))
    return parsePower();
  NestingScope scope(nesting);
  if (failed(enterNesting()))
    return nullptr;
  SMLoc start = curToken.getLoc();
  consumeToken();
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  return std::make_unique<UnaryExpr>(rangeFrom(start), UnaryOp::Neg,
                                     std::move(operand));
}

/// power := postfix ['^' unary]. Right-associative through unary:
/// `a ^ b ^ c` is `a ^ (b ^ c)`, and `-a ^ 2` is `-(a ^ 2)`.
ExprPtr Parser::parsePower() {
  ExprPtr base = parsePostfix();
  if (!base || !curToken.is(Token::caret))
    return base;
  NestingScope scope(nesting);
  if (failed(enterNesting()))
    return nullptr;
  SMLoc opLoc = curToken.getLoc();
  consumeToken();
  ExprPtr exponent = parseUnary();
  if (!exponent)
    return nullptr;
  return std::make_unique<BinaryExpr>(BinaryOp::Pow, opLoc, std::move(base),
                                      std::move(exponent));
}

/// postfix := primary ('.' IDENT | '[' index (',' index)* ']')*
ExprPtr Parser::parsePostfix() {
  NestingScope scope(nesting);
  SMLoc start = curToken.getLoc();
  ExprPtr expr = parsePrimary();
  while (expr && curToken.isAny(Token::dot, Token::l_square)) {
    if (failed(enterNesting()))
      return nullptr;
    if (consumeIf(Token::dot)) {
      Identifier member;
      if (failed(parseIdentifier(member, "a member name after '.'")))
        return nullptr;
      expr = std::make_unique<MemberExpr>(std::move(expr), std::move(member));
      continue;
    }
    consumeToken();
    std::vector<ExprPtr> indices;
    do {
      ExprPtr index = parseIndex();
      if (!index)
        return nullptr;
      indices.push_back(std::move(index));
    } while (consumeIf(Token::comma));
    if (failed(expect(Token::r_square, "',' or ']' in the index")))
      return nullptr;
    expr = std::make_unique<IndexExpr>(rangeFrom(start), std::move(expr),
                                       std::move(indices));
  }
  return expr;
}

/// index := expr | [expr] ':' [expr]
ExprPtr Parser::parseIndex() {
  SMLoc start = curToken.getLoc();
  ExprPtr lower;
  if (!curToken.is(Token::colon)) {
    if (!canStartExpr(curToken)) {
      (void)emitErrorExpected("an index (an expression, or a slice such as "
                              "':p')");
      return nullptr;
    }
    lower = parseExpr();
    if (!lower || !curToken.is(Token::colon))
      return lower;
  }
  consumeToken();
  ExprPtr upper;
  if (!curToken.isAny(Token::comma, Token::r_square)) {
    upper = parseExpr();
    if (!upper)
      return nullptr;
  }
  return std::make_unique<SliceExpr>(rangeFrom(start), std::move(lower),
                                     std::move(upper));
}

/// primary := NUMBER | IDENT | call | '(' expr ')' | '[' [expr (',' expr)*]
///            ']' | '(' expr (',' expr)+ ')'
ExprPtr Parser::parsePrimary() {
  switch (curToken.getKind()) {
  case Token::integer:
  case Token::real:
    return parseNumber();
  case Token::identifier: {
    if (peekToken().is(Token::l_paren))
      return parseCall();
    auto name =
        std::make_unique<NameExpr>(curToken.getRange(), curToken.getSpelling());
    consumeToken();
    return name;
  }
  case Token::l_paren:
    return parseParenOrTuple();
  case Token::l_square:
    return parseList();
  default:
    (void)emitErrorExpected("an expression");
    return nullptr;
  }
}

ExprPtr Parser::parseNumber() {
  Token token = curToken;
  consumeToken();
  llvm::StringRef spelling = token.getSpelling();
  if (token.is(Token::integer)) {
    int64_t value;
    if (spelling.getAsInteger(10, value)) {
      (void)emitError(token.getLoc(),
                      "integer " + spelling + " does not fit in 64 bits");
      return nullptr;
    }
    return std::make_unique<NumberExpr>(token.getRange(), spelling,
                                        /*isInteger=*/true, value,
                                        static_cast<double>(value));
  }
  double value;
  if (spelling.getAsDouble(value) || !std::isfinite(value)) {
    (void)emitError(token.getLoc(),
                    "number " + spelling + " is too large for a float");
    return nullptr;
  }
  return std::make_unique<NumberExpr>(token.getRange(), spelling,
                                      /*isInteger=*/false, 0, value);
}

/// call := IDENT '(' [arg (',' arg)*] ')'
///       | IDENT '(' expr 'for' IDENT 'in' expr ')'
/// arg  := expr | NAME '=' expr
ExprPtr Parser::parseCall() {
  SMLoc start = curToken.getLoc();
  Identifier callee{curToken.getSpelling().str(), curToken.getRange()};
  consumeToken();
  consumeToken(); // '('

  std::vector<ExprPtr> args;
  std::vector<Binding> namedArgs;
  std::optional<Comprehension> comprehension;
  if (!consumeIf(Token::r_paren)) {
    do {
      if (isNameLike(curToken) && peekToken().is(Token::equal)) {
        std::optional<Binding> arg = parseBinding();
        if (!arg)
          return nullptr;
        namedArgs.push_back(std::move(*arg));
        continue;
      }
      if (!namedArgs.empty()) {
        (void)emitError(curToken.getLoc(),
                        "positional argument after the named argument '" +
                            namedArgs.back().getName().name + "'");
        return nullptr;
      }
      ExprPtr arg = parseExpr();
      if (!arg)
        return nullptr;
      args.push_back(std::move(arg));
      if (!curToken.is(Token::kw_for))
        continue;

      // A comprehension: `sum(body for var in range)`.
      SMLoc forLoc = curToken.getLoc();
      if (args.size() != 1) {
        (void)emitError(forLoc, "'for' must follow the only argument of '" +
                                    callee.name + "'");
        return nullptr;
      }
      consumeToken();
      Identifier var;
      if (failed(parseIdentifier(var, "a variable name after 'for'")) ||
          failed(expect(Token::kw_in, "'in' after 'for " + var.name + "'")))
        return nullptr;
      ExprPtr range = parseExpr();
      if (!range)
        return nullptr;
      comprehension.emplace(forLoc, std::move(var), std::move(range));
      break;
    } while (consumeIf(Token::comma));

    if (failed(expect(
            Token::r_paren,
            comprehension
                ? "')' after the comprehension in '" + callee.name + "'"
                : "',' or ')' in the arguments of '" + callee.name + "'")))
      return nullptr;
  }
  return std::make_unique<CallExpr>(rangeFrom(start), std::move(callee),
                                    std::move(args), std::move(namedArgs),
                                    std::move(comprehension));
}

/// '(' expr ')' | '(' expr (',' expr)+ ')'
ExprPtr Parser::parseParenOrTuple() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  ExprPtr first = parseExpr();
  if (!first)
    return nullptr;
  if (!curToken.is(Token::comma)) {
    if (failed(expect(Token::r_paren, "')' to close '('")))
      return nullptr;
    return first;
  }
  std::vector<ExprPtr> elements;
  elements.push_back(std::move(first));
  while (consumeIf(Token::comma)) {
    ExprPtr element = parseExpr();
    if (!element)
      return nullptr;
    elements.push_back(std::move(element));
  }
  if (failed(expect(Token::r_paren, "',' or ')' in the tuple")))
    return nullptr;
  return std::make_unique<TupleExpr>(rangeFrom(start), std::move(elements));
}

/// '[' [expr (',' expr)*] ']'
ExprPtr Parser::parseList() {
  SMLoc start = curToken.getLoc();
  consumeToken();
  std::vector<ExprPtr> elements;
  if (!consumeIf(Token::r_square)) {
    do {
      ExprPtr element = parseExpr();
      if (!element)
        return nullptr;
      elements.push_back(std::move(element));
    } while (consumeIf(Token::comma));
    if (failed(expect(Token::r_square, "',' or ']' in the list")))
      return nullptr;
  }
  return std::make_unique<ListExpr>(rangeFrom(start), std::move(elements));
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

std::unique_ptr<File> prism::lang::parseFile(const llvm::SourceMgr &sourceMgr,
                                             unsigned bufferID,
                                             mlir::MLIRContext *context) {
  return Parser(sourceMgr, bufferID, context).parseFile();
}
