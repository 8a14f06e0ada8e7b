//===- Token.h - .sae language tokens ---------------------------*- C++ -*-===//
//
// A token of the .sae language: its kind and its spelling, which points into
// the source buffer and so also gives its location.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_LANG_TOKEN_H
#define PRISM_LANG_TOKEN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace prism::lang {

class Token {
public:
  enum Kind {
    // Markers.
    eof,
    error, // A lexical error, already reported by the lexer.

    // Tokens whose spelling varies.
    identifier,
    integer,
    real,
    string,

    // Keywords.
    kw_batch,
    kw_for,
    kw_import,
    kw_in,
    kw_input,
    kw_metrics,
    kw_model,
    kw_over,
    kw_pairs,
    kw_param,
    kw_rows,
    kw_train,

    // Punctuation.
    l_paren,
    r_paren,
    l_square,
    r_square,
    l_brace,
    r_brace,
    comma,
    colon,
    equal,
    dot,
    plus,
    minus,
    star,
    slash,
    at,
    caret,
    pipe,
    less,
    greater,
    less_equal,
    greater_equal,
    equal_equal,
    not_equal,
  };

  Token(Kind kind, llvm::StringRef spelling, bool atStartOfLine)
      : kind(kind), spelling(spelling), atStartOfLine(atStartOfLine) {}

  Kind getKind() const { return kind; }
  bool is(Kind k) const { return kind == k; }
  template <typename... Kinds> bool isAny(Kinds... ks) const {
    return ((kind == ks) || ...);
  }
  bool isKeyword() const { return kind >= kw_batch && kind <= kw_train; }

  /// The token as written, quotes included for strings.
  llvm::StringRef getSpelling() const { return spelling; }

  /// Whether only whitespace and comments precede the token on its line. The
  /// parser uses it to find statement starts when recovering from an error.
  bool isAtStartOfLine() const { return atStartOfLine; }

  llvm::SMLoc getLoc() const;
  llvm::SMLoc getEndLoc() const;
  llvm::SMRange getRange() const { return {getLoc(), getEndLoc()}; }

  /// The contents of a string token with its escapes resolved.
  std::string getStringValue() const;

  /// The token for a "found ..." message: `identifier 'x'`, `','`,
  /// `keyword 'batch'`, `end of file`.
  std::string describe() const;

private:
  Kind kind;
  llvm::StringRef spelling;
  bool atStartOfLine;
};

} // namespace prism::lang

#endif // PRISM_LANG_TOKEN_H
