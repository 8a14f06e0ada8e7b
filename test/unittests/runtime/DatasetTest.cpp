//===- DatasetTest.cpp - Writing and reading .pemb datasets ---------------===//

#include "TestFiles.h"

#include "prism/runtime/Dataset.h"

#include <gtest/gtest.h>

using namespace prism;
using namespace prism::test;

namespace {

DatasetContents twoPairs() {
  DatasetContents contents;
  contents.dim = 3;
  contents.rows = 5;
  contents.values = ramp(5, 3);
  contents.modality = {Modality::Image, Modality::Image, Modality::Text,
                       Modality::Text, Modality::Unspecified};
  contents.pairId = {0, 1, 0, 1, -1};
  contents.numPairs = 2;
  contents.captions = {"a dog on a couch", "two cats"};
  contents.provenance.tool = "prism test";
  contents.provenance.sources.push_back(
      {"in.npy", "npy", "npy 1.0", "rows", Modality::Image, 0, 5, 123, 42});
  return contents;
}

std::string openError(const std::string &path) {
  StatusOr<Dataset> dataset = Dataset::open(path);
  EXPECT_FALSE(dataset.isOk());
  return dataset.isOk() ? "" : dataset.getStatus().str();
}

TEST(DatasetTest, RoundTrip) {
  TempDir dir;
  DatasetContents contents = twoPairs();
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), contents).isOk());
  StatusOr<Dataset> dataset = Dataset::open(dir.path("d.pemb"));
  ASSERT_TRUE(dataset.isOk()) << dataset.getStatus().str();
  EXPECT_EQ(dataset->dim(), 3u);
  EXPECT_EQ(dataset->rows(), 5u);
  EXPECT_EQ(dataset->numPairs(), 2u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(dataset->data()) % 64, 0u)
      << "the matrix must be 64-byte aligned in the mapping";
  EXPECT_EQ(std::vector<float>(dataset->data(), dataset->data() + 15),
            contents.values);
  for (uint64_t r = 0; r < 5; ++r) {
    EXPECT_EQ(dataset->modality(r), contents.modality[r]);
    EXPECT_EQ(dataset->pairId(r), contents.pairId[r]);
  }
  ASSERT_TRUE(dataset->hasCaptions());
  EXPECT_EQ(dataset->caption(1), "two cats");
  EXPECT_FALSE(dataset->hasLabels());
  DatasetProvenance provenance = dataset->provenance();
  EXPECT_EQ(provenance.tool, "prism test");
  ASSERT_EQ(provenance.sources.size(), 1u);
  EXPECT_EQ(provenance.sources[0].fnv1a64, 42u);
}

TEST(DatasetTest, RejectsForeignFile) {
  TempDir dir;
  writeBytes(dir.path("x"), "hello, this is not a dataset");
  EXPECT_EQ(openError(dir.path("x")),
            dir.path("x") + ": error: not a Prism dataset: expected the magic "
                            "'PRISMEMB' in the first 8 bytes");
}

TEST(DatasetTest, RejectsTruncatedMatrix) {
  TempDir dir;
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), twoPairs()).isOk());
  std::string bytes;
  {
    std::ifstream in(dir.path("d.pemb"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t matrixOffset = bytes.size() - 60;
  writeBytes(dir.path("d.pemb"), bytes.substr(0, bytes.size() - 4));
  EXPECT_EQ(openError(dir.path("d.pemb")),
            dir.path("d.pemb") +
                ": error: truncated data: 5 x 3 float32 need "
                "60 bytes from offset " +
                std::to_string(matrixOffset) + ", the file has " +
                std::to_string(bytes.size() - 4));
}

TEST(DatasetTest, RejectsUnknownContainerVersion) {
  TempDir dir;
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), twoPairs()).isOk());
  std::string bytes;
  {
    std::ifstream in(dir.path("d.pemb"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[8] = 7;
  writeBytes(dir.path("d.pemb"), bytes);
  EXPECT_EQ(
      openError(dir.path("d.pemb")),
      dir.path("d.pemb") +
          ": error: unsupported dataset container version 7 (expected 1)");
}

TEST(DatasetTest, RejectsCorruptHeader) {
  TempDir dir;
  ASSERT_TRUE(writeDataset(dir.path("d.pemb"), twoPairs()).isOk());
  std::string bytes;
  {
    std::ifstream in(dir.path("d.pemb"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Point the root table offset far outside the buffer.
  bytes[16] = '\xff';
  bytes[17] = '\xff';
  writeBytes(dir.path("d.pemb"), bytes);
  EXPECT_EQ(openError(dir.path("d.pemb")),
            dir.path("d.pemb") + ": error: corrupt dataset header (FlatBuffers "
                                 "verification failed)");
}

TEST(DatasetTest, WriteIntoMissingDirectoryFailsCleanly) {
  Status status = writeDataset("/nonexistent-dir/d.pemb", twoPairs());
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.str(), "/nonexistent-dir/d.pemb: error: cannot create "
                          "output: No such file or directory");
}

} // namespace
