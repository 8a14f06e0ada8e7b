//===- AtomicFileTest.cpp - Crash-safe file replacement -------------------===//

#include "TestFiles.h"

#include "prism/runtime/AtomicFile.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <thread>

using namespace prism;
using namespace prism::test;

namespace {

TEST(AtomicFileTest, CommitReplacesTheTarget) {
  TempDir dir;
  writeText(dir.path("out"), "old");
  {
    StatusOr<AtomicFileWriter> writer =
        AtomicFileWriter::create(dir.path("out"));
    ASSERT_TRUE(writer.isOk());
    ASSERT_TRUE(writer->write("new", 3).isOk());
    EXPECT_EQ(contentsOf(dir.path("out")), "old") << "replaced before commit";
    ASSERT_TRUE(writer->commit().isOk());
  }
  EXPECT_EQ(contentsOf(dir.path("out")), "new");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

// A rename over a device or pipe (`-o /dev/null`) would replace the node
// with a regular file: such targets are written in place.
TEST(AtomicFileTest, WritesIntoAPipeInPlace) {
  TempDir dir;
  std::string pipe = dir.path("pipe");
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(pipe, std::ios::binary);
    received.assign(std::istreambuf_iterator<char>(in), {});
  });
  {
    StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(pipe);
    ASSERT_TRUE(writer.isOk());
    ASSERT_TRUE(writer->write("through", 7).isOk());
    ASSERT_TRUE(writer->commit().isOk());
  }
  reader.join();
  EXPECT_EQ(received, "through");
  struct stat info;
  ASSERT_EQ(::stat(pipe.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "the pipe was replaced";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"pipe"});
}

TEST(AtomicFileTest, AbandonedWriteLeavesNothing) {
  TempDir dir;
  writeText(dir.path("out"), "old");
  {
    StatusOr<AtomicFileWriter> writer =
        AtomicFileWriter::create(dir.path("out"));
    ASSERT_TRUE(writer.isOk());
    ASSERT_TRUE(writer->write("partial", 7).isOk());
  }
  EXPECT_EQ(contentsOf(dir.path("out")), "old");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(AtomicFileTest, PadsToAlignment) {
  TempDir dir;
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(dir.path("out"));
  ASSERT_TRUE(writer.isOk());
  ASSERT_TRUE(writer->write("abc", 3).isOk());
  ASSERT_TRUE(writer->padTo(64).isOk());
  EXPECT_EQ(writer->offset(), 64u);
  ASSERT_TRUE(writer->padTo(64).isOk());
  EXPECT_EQ(writer->offset(), 64u);
  ASSERT_TRUE(writer->commit().isOk());
  EXPECT_EQ(contentsOf(dir.path("out")), "abc" + std::string(61, '\0'));
}

TEST(AtomicFileTest, UsesTheUmaskNotPrivateMode) {
  TempDir dir;
  mode_t old = ::umask(022);
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(dir.path("out"));
  ::umask(old);
  ASSERT_TRUE(writer.isOk());
  ASSERT_TRUE(writer->commit().isOk());
  struct stat info;
  ASSERT_EQ(::stat(dir.path("out").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

} // namespace
