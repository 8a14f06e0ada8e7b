//===- Lexer.cpp - .sae language lexer --------------------------*- C++ -*-===//

#include "prism/Lang/Lexer.h"
#include "prism/Lang/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace prism::lang;

Lexer::Lexer(const llvm::SourceMgr &sourceMgr, unsigned bufferID,
             DiagnosticReporter &diags)
    : diags(diags), buffer(sourceMgr.getMemoryBuffer(bufferID)->getBuffer()),
      curPtr(buffer.begin()) {}

/// The character at `ptr`, or 0 at the end: buffers need not be
/// NUL-terminated.
static char charAt(const char *ptr, llvm::StringRef buffer) {
  return ptr < buffer.end() ? *ptr : 0;
}

static bool isIdentifierChar(char c) { return llvm::isAlnum(c) || c == '_'; }

/// Names the character at `ptr` for a message, consuming it (several bytes
/// for UTF-8): `'$'`, `'λ' (U+03BB)` or `'\x01'`.
static std::string describeChar(const char *&ptr, llvm::StringRef buffer) {
  std::string result;
  llvm::raw_string_ostream os(result);
  auto c = static_cast<unsigned char>(*ptr);
  if (llvm::isPrint(c)) {
    os << "'" << *ptr++ << "'";
    return result;
  }
  unsigned size = llvm::getNumBytesForUTF8(c);
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(ptr);
  const auto *end = reinterpret_cast<const llvm::UTF8 *>(buffer.end());
  llvm::UTF32 codePoint;
  if (c >= 0x80 && size <= static_cast<size_t>(end - begin) &&
      llvm::convertUTF8Sequence(&begin, end, &codePoint,
                                llvm::strictConversion) == llvm::conversionOK) {
    os << "'" << llvm::StringRef(ptr, size) << "' (U+"
       << llvm::format_hex_no_prefix(codePoint, 4, /*Upper=*/true) << ")";
    ptr += size;
    return result;
  }
  os << "'\\x" << llvm::format_hex_no_prefix(c, 2) << "'";
  ++ptr;
  return result;
}

Token Lexer::formToken(Token::Kind kind, const char *tokStart) {
  Token token(kind, llvm::StringRef(tokStart, curPtr - tokStart),
              atStartOfLine);
  atStartOfLine = false;
  return token;
}

Token Lexer::emitError(const char *tokStart, const char *loc,
                       const llvm::Twine &msg) {
  diags.emitError(llvm::SMLoc::getFromPointer(loc), msg);
  return formToken(Token::error, tokStart);
}

void Lexer::skipTrivia() {
  while (curPtr < buffer.end()) {
    switch (*curPtr) {
    case '\n':
      atStartOfLine = true;
      ++curPtr;
      break;
    case ' ':
    case '\t':
    case '\r':
    case '\v':
    case '\f':
      ++curPtr;
      break;
    case '#':
      while (curPtr < buffer.end() && *curPtr != '\n')
        ++curPtr;
      break;
    default:
      return;
    }
  }
}

Token Lexer::lex() {
  skipTrivia();
  const char *tokStart = curPtr;
  if (curPtr == buffer.end())
    return formToken(Token::eof, tokStart);

  char c = *curPtr++;
  auto lexWithEqual = [&](Token::Kind plain, Token::Kind withEqual) {
    if (charAt(curPtr, buffer) != '=')
      return formToken(plain, tokStart);
    ++curPtr;
    return formToken(withEqual, tokStart);
  };
  switch (c) {
  case '(':
    return formToken(Token::l_paren, tokStart);
  case ')':
    return formToken(Token::r_paren, tokStart);
  case '[':
    return formToken(Token::l_square, tokStart);
  case ']':
    return formToken(Token::r_square, tokStart);
  case '{':
    return formToken(Token::l_brace, tokStart);
  case '}':
    return formToken(Token::r_brace, tokStart);
  case ',':
    return formToken(Token::comma, tokStart);
  case ':':
    return formToken(Token::colon, tokStart);
  case '.':
    return formToken(Token::dot, tokStart);
  case '+':
    return formToken(Token::plus, tokStart);
  case '-':
    return formToken(Token::minus, tokStart);
  case '*':
    return formToken(Token::star, tokStart);
  case '/':
    return formToken(Token::slash, tokStart);
  case '@':
    return formToken(Token::at, tokStart);
  case '^':
    return formToken(Token::caret, tokStart);
  case '|':
    return formToken(Token::pipe, tokStart);
  case '=':
    return lexWithEqual(Token::equal, Token::equal_equal);
  case '<':
    return lexWithEqual(Token::less, Token::less_equal);
  case '>':
    return lexWithEqual(Token::greater, Token::greater_equal);
  case '!':
    if (charAt(curPtr, buffer) == '=') {
      ++curPtr;
      return formToken(Token::not_equal, tokStart);
    }
    return emitError(tokStart, tokStart,
                     "unexpected character '!'; did you mean '!='?");
  case '"':
    return lexString(tokStart);
  default:
    if (llvm::isDigit(c))
      return lexNumber(tokStart);
    if (llvm::isAlpha(c) || c == '_')
      return lexIdentifierOrKeyword(tokStart);
    curPtr = tokStart;
    return lexUnexpected(tokStart);
  }
}

Token Lexer::lexUnexpected(const char *tokStart) {
  std::string what = describeChar(curPtr, buffer);
  return emitError(tokStart, tokStart, "unexpected character " + what);
}

Token Lexer::lexIdentifierOrKeyword(const char *tokStart) {
  while (isIdentifierChar(charAt(curPtr, buffer)))
    ++curPtr;
  llvm::StringRef spelling(tokStart, curPtr - tokStart);
  Token::Kind kind = llvm::StringSwitch<Token::Kind>(spelling)
                         .Case("batch", Token::kw_batch)
                         .Case("for", Token::kw_for)
                         .Case("import", Token::kw_import)
                         .Case("in", Token::kw_in)
                         .Case("input", Token::kw_input)
                         .Case("metrics", Token::kw_metrics)
                         .Case("model", Token::kw_model)
                         .Case("over", Token::kw_over)
                         .Case("pairs", Token::kw_pairs)
                         .Case("param", Token::kw_param)
                         .Case("rows", Token::kw_rows)
                         .Case("train", Token::kw_train)
                         .Default(Token::identifier);
  return formToken(kind, tokStart);
}

/// digits ['.' digits] [('e' | 'E') ['+' | '-'] digits], starting with a
/// digit. A number runs straight into nothing name-like: `12abc` and `1.2.3`
/// are one malformed number rather than a number and a surprise.
Token Lexer::lexNumber(const char *tokStart) {
  auto skipDigits = [&] {
    while (llvm::isDigit(charAt(curPtr, buffer)))
      ++curPtr;
  };
  auto skipNameLikeRun = [&] {
    while (isIdentifierChar(charAt(curPtr, buffer)) ||
           charAt(curPtr, buffer) == '.')
      ++curPtr;
  };
  auto spelling = [&] { return llvm::StringRef(tokStart, curPtr - tokStart); };

  skipDigits();
  bool isReal = false;
  if (charAt(curPtr, buffer) == '.') {
    isReal = true;
    ++curPtr;
    skipDigits();
  }
  char c = charAt(curPtr, buffer);
  if (c == 'e' || c == 'E') {
    isReal = true;
    ++curPtr;
    c = charAt(curPtr, buffer);
    if (c == '+' || c == '-')
      ++curPtr;
    if (!llvm::isDigit(charAt(curPtr, buffer))) {
      skipNameLikeRun();
      return emitError(tokStart, tokStart,
                       "malformed number '" + spelling() +
                           "': the exponent has no digits");
    }
    skipDigits();
  }
  c = charAt(curPtr, buffer);
  if (isIdentifierChar(c) || c == '.') {
    skipNameLikeRun();
    return emitError(tokStart, tokStart,
                     "malformed number '" + spelling() + "'");
  }
  return formToken(isReal ? Token::real : Token::integer, tokStart);
}

/// A string closes on its own line; `\"` and `\\` are its only escapes.
Token Lexer::lexString(const char *tokStart) {
  const char *badEscape = nullptr;
  while (true) {
    if (curPtr == buffer.end() || *curPtr == '\n')
      return emitError(tokStart, tokStart,
                       "unterminated string: expected '\"' before the end "
                       "of the line");
    char c = *curPtr++;
    if (c == '"')
      break;
    if (c != '\\')
      continue;
    char next = charAt(curPtr, buffer);
    if (next == '"' || next == '\\')
      ++curPtr;
    else if (!badEscape)
      badEscape = curPtr - 1;
  }
  if (!badEscape)
    return formToken(Token::string, tokStart);
  const char *escaped = badEscape + 1;
  std::string what = llvm::isPrint(*escaped)
                         ? "'\\" + std::string(1, *escaped) + "'"
                         : "'\\' followed by " + describeChar(escaped, buffer);
  return emitError(tokStart, badEscape,
                   "unknown escape " + what +
                       " in a string; only '\\\"' and '\\\\' are allowed");
}
