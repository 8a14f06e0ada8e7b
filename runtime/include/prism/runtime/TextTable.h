//===- TextTable.h - Tab-separated metadata files ---------------*- C++ -*-===//
//
// Captions and labels come as text: one record per line, fields separated by
// tabs. A first line naming the wanted column (e.g. `caption`) is a header;
// without one, a single-field file is the column itself and a multi-field file
// uses its last field.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_TEXTTABLE_H
#define PRISM_RUNTIME_TEXTTABLE_H

#include "prism/runtime/Status.h"

#include <string>
#include <vector>

namespace prism {

struct TextTable {
  std::vector<std::vector<std::string>> lines; // fields of each line

  /// The values of column `name` (see above); `path` names the file in errors.
  StatusOr<std::vector<std::string>> column(const std::string &path,
                                            const std::string &name) const;
};

StatusOr<TextTable> readTextTable(const std::string &path);

} // namespace prism

#endif // PRISM_RUNTIME_TEXTTABLE_H
