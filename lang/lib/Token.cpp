//===- Token.cpp - .sae language tokens -------------------------*- C++ -*-===//

#include "prism/Lang/Token.h"

#include "llvm/ADT/Twine.h"

using namespace prism::lang;

llvm::SMLoc Token::getLoc() const {
  return llvm::SMLoc::getFromPointer(spelling.begin());
}

llvm::SMLoc Token::getEndLoc() const {
  return llvm::SMLoc::getFromPointer(spelling.end());
}

std::string Token::getStringValue() const {
  assert(is(string) && "not a string token");
  // The lexer has checked that the only escapes are \" and \\.
  llvm::StringRef body = spelling.drop_front().drop_back();
  std::string result;
  result.reserve(body.size());
  for (size_t i = 0, e = body.size(); i < e; ++i) {
    if (body[i] == '\\' && i + 1 < e)
      ++i;
    result.push_back(body[i]);
  }
  return result;
}

std::string Token::describe() const {
  switch (kind) {
  case eof:
    return "end of file";
  case identifier:
    return ("identifier '" + spelling + "'").str();
  case integer:
    return ("integer " + spelling).str();
  case real:
    return ("number " + spelling).str();
  case string:
    return ("string " + spelling).str();
  default:
    if (isKeyword())
      return ("keyword '" + spelling + "'").str();
    return ("'" + spelling + "'").str();
  }
}
