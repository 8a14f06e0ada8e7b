//===- Lexer.h - .sae language lexer ----------------------------*- C++ -*-===//
//
// Splits one source buffer into tokens. Lexical errors are reported on the
// spot and come back as `Token::error`, which the parser skips without a
// second message.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_LEXER_H
#define PRISM_LANG_LEXER_H

#include "prism/Lang/Token.h"

#include "llvm/ADT/Twine.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace prism::lang {

class DiagnosticReporter;

class Lexer {
public:
  Lexer(const llvm::SourceMgr &sourceMgr, unsigned bufferID,
        DiagnosticReporter &diags);

  /// Returns the next token; `Token::eof` at the end, again and again.
  Token lex();

private:
  Token formToken(Token::Kind kind, const char *tokStart);
  /// Reports `msg` at `loc` and returns an error token from `tokStart` to the
  /// current position.
  Token emitError(const char *tokStart, const char *loc,
                  const llvm::Twine &msg);

  /// Skips whitespace and comments, noting whether a newline went by.
  void skipTrivia();
  Token lexIdentifierOrKeyword(const char *tokStart);
  Token lexNumber(const char *tokStart);
  Token lexString(const char *tokStart);
  Token lexUnexpected(const char *tokStart);

  DiagnosticReporter &diags;
  llvm::StringRef buffer;
  const char *curPtr;
  bool atStartOfLine = true;
};

} // namespace prism::lang

#endif // PRISM_LANG_LEXER_H
