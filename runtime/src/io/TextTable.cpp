//===- TextTable.cpp - Tab-separated metadata files -----------------------===//

#include "prism/runtime/TextTable.h"
#include "prism/runtime/MappedFile.h"

#include <algorithm>
#include <cctype>

using namespace prism;

static bool equalsIgnoringCase(const std::string &a, const std::string &b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

StatusOr<TextTable> prism::readTextTable(const std::string &path) {
  StatusOr<MappedFile> file = MappedFile::open(path);
  if (!file.isOk())
    return file.getStatus();
  std::string text(reinterpret_cast<const char *>(file->data()), file->size());
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) // UTF-8 byte order mark
    text.erase(0, 3);
  if (text.find('\0') != std::string::npos)
    return Status::error(path, "holds NUL bytes: expected UTF-8 text");

  TextTable table;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::vector<std::string> fields;
    size_t fieldStart = 0;
    while (true) {
      size_t tab = line.find('\t', fieldStart);
      fields.push_back(line.substr(fieldStart, tab - fieldStart));
      if (tab == std::string::npos)
        break;
      fieldStart = tab + 1;
    }
    table.lines.push_back(std::move(fields));
    start = end + 1;
  }
  return table;
}

StatusOr<std::vector<std::string>>
TextTable::column(const std::string &path, const std::string &name) const {
  std::vector<std::string> values;
  if (lines.empty())
    return values;
  const std::vector<std::string> &first = lines.front();
  auto named =
      std::find_if(first.begin(), first.end(), [&](const std::string &field) {
        return equalsIgnoringCase(field, name);
      });
  bool hasHeader = named != first.end();
  size_t index =
      hasHeader ? static_cast<size_t>(named - first.begin()) : first.size() - 1;
  for (size_t i = hasHeader ? 1 : 0; i < lines.size(); ++i) {
    if (lines[i].size() <= index)
      return Status::error(path + ":" + std::to_string(i + 1),
                           "line has " + std::to_string(lines[i].size()) +
                               " tab-separated fields, expected at least " +
                               std::to_string(index + 1) + " (the '" + name +
                               "' column)");
    values.push_back(lines[i][index]);
  }
  return values;
}
