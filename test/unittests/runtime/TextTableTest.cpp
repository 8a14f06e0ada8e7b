//===- TextTableTest.cpp - Tab-separated metadata files -------------------===//

#include "TestFiles.h"

#include "prism/runtime/TextTable.h"

#include <gtest/gtest.h>

using namespace prism;
using namespace prism::test;

namespace {

std::vector<std::string> columnOf(const std::string &text,
                                  const std::string &name) {
  TempDir dir;
  writeText(dir.path("t.tsv"), text);
  StatusOr<TextTable> table = readTextTable(dir.path("t.tsv"));
  EXPECT_TRUE(table.isOk());
  StatusOr<std::vector<std::string>> column =
      table->column(dir.path("t.tsv"), name);
  EXPECT_TRUE(column.isOk()) << column.getStatus().str();
  return column.isOk() ? *column : std::vector<std::string>{};
}

TEST(TextTableTest, NamedColumnUnderAHeader) {
  EXPECT_EQ(
      columnOf("index\tCaption\tid\n0\ta dog\t7\n1\ta cat\t8\n", "caption"),
      (std::vector<std::string>{"a dog", "a cat"}));
}

TEST(TextTableTest, LastFieldWithoutAHeader) {
  EXPECT_EQ(columnOf("0\ta dog\n1\ta cat", "caption"),
            (std::vector<std::string>{"a dog", "a cat"}));
}

TEST(TextTableTest, WholeLinesWithCrLfAndByteOrderMark) {
  EXPECT_EQ(columnOf("\xEF\xBB\xBFgoldfish\r\ngreat white shark\r\n", "label"),
            (std::vector<std::string>{"goldfish", "great white shark"}));
}

TEST(TextTableTest, ShortLineNamesItsLineNumber) {
  TempDir dir;
  writeText(dir.path("t.tsv"), "index\tcaption\n0\ta dog\n1\n");
  StatusOr<TextTable> table = readTextTable(dir.path("t.tsv"));
  ASSERT_TRUE(table.isOk());
  StatusOr<std::vector<std::string>> column =
      table->column(dir.path("t.tsv"), "caption");
  ASSERT_FALSE(column.isOk());
  EXPECT_EQ(column.getStatus().str(),
            dir.path("t.tsv") + ":3: error: line has 1 tab-separated fields, "
                                "expected at least 2 (the 'caption' column)");
}

} // namespace
