//===- SparseCodesTest.cpp - Sparse storage of codes ----------------------===//

#include "prism/runtime/SparseCodes.h"

#include <gtest/gtest.h>

using namespace prism;

TEST(SparseCodesTest, KeepsTheNonZerosOfDenseRowsInOrder) {
  // Three rows of five latents; the second fires nowhere.
  const float z[15] = {0, 2, 0, 0, -1, //
                       0, 0, 0, 0, 0,  //
                       3, 0, 0, 4, 0};
  SparseCodes codes(5);
  codes.appendDense(z, 3);
  ASSERT_EQ(codes.rows(), 3u);
  EXPECT_EQ(codes.nonzeros(), 4u);
  SparseCodes::Row first = codes.row(0);
  ASSERT_EQ(first.size, 2u);
  EXPECT_EQ(first.index[0], 1u);
  EXPECT_EQ(first.value[0], 2.0f);
  EXPECT_EQ(first.index[1], 4u);
  EXPECT_EQ(first.value[1], -1.0f);
  EXPECT_EQ(codes.row(1).size, 0u);
  SparseCodes::Row last = codes.row(2);
  ASSERT_EQ(last.size, 2u);
  EXPECT_EQ(last.index[1], 3u);
  EXPECT_EQ(last.value[1], 4.0f);
}

TEST(SparseCodesTest, AppendsRowsGivenAsEntries) {
  SparseCodes codes(10);
  const uint32_t index[2] = {7, 9};
  const float value[2] = {0.5f, 0.25f};
  codes.appendRow(index, value, 2);
  codes.appendRow(nullptr, nullptr, 0);
  ASSERT_EQ(codes.rows(), 2u);
  EXPECT_EQ(codes.row(0).index[1], 9u);
  EXPECT_EQ(codes.row(0).value[0], 0.5f);
  EXPECT_EQ(codes.row(1).size, 0u);
}
