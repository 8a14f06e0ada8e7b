//===- ProgressTest.cpp - Progress lines and the reporter -----------------===//

#include "prism/runtime/Progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace prism;

namespace {

/// Everything written to `file` so far.
std::string readAll(FILE *file) {
  std::fflush(file);
  std::rewind(file);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    out.append(buffer, n);
  return out;
}

TEST(ProgressTest, FormatDuration) {
  EXPECT_EQ(formatDuration(0), "0s");
  EXPECT_EQ(formatDuration(59.4), "59s");
  EXPECT_EQ(formatDuration(59.6), "1m00s");
  EXPECT_EQ(formatDuration(62), "1m02s");
  EXPECT_EQ(formatDuration(3599), "59m59s");
  EXPECT_EQ(formatDuration(3600), "1h00m");
  EXPECT_EQ(formatDuration(3725), "1h02m");
  EXPECT_EQ(formatDuration(86399), "23h59m");
  EXPECT_EQ(formatDuration(86400), "1d00h");
  EXPECT_EQ(formatDuration(90061), "1d01h");
  EXPECT_EQ(formatDuration(-1), "?");
  EXPECT_EQ(formatDuration(std::numeric_limits<double>::quiet_NaN()), "?");
  EXPECT_EQ(formatDuration(std::numeric_limits<double>::infinity()), "?");
}

TEST(ProgressTest, FormatBar) {
  EXPECT_EQ(formatBar(0, 10, 10), "[----------]");
  EXPECT_EQ(formatBar(5, 10, 10), "[#####-----]");
  EXPECT_EQ(formatBar(1, 3, 10), "[###-------]");
  EXPECT_EQ(formatBar(10, 10, 10), "[##########]");
  EXPECT_EQ(formatBar(15, 10, 10), "[##########]");
  EXPECT_EQ(formatBar(3, 0, 4), "[----]");
}

TEST(ProgressTest, FormatRate) {
  EXPECT_EQ(formatRate(312.4), "312 step/s");
  EXPECT_EQ(formatRate(99.96), "100 step/s");
  EXPECT_EQ(formatRate(31.24), "31.2 step/s");
  EXPECT_EQ(formatRate(9.996), "10.0 step/s");
  EXPECT_EQ(formatRate(3.124), "3.12 step/s");
}

TEST(ProgressTest, FormatLines) {
  ProgressSnapshot snapshot;
  snapshot.step = 1200;
  snapshot.total = 20000;
  snapshot.stepsPerSecond = 303.2;
  snapshot.loss = 0.0123;
  snapshot.l0 = 32.0;
  snapshot.deadFraction = 0.012;
  EXPECT_EQ(formatProgressLine(snapshot),
            "[----------] 1200/20000  303 step/s  loss 0.0123  L0 32.0  dead "
            "1.2%  ETA 1m02s");
  EXPECT_EQ(formatProgressLog(snapshot),
            "step 1200/20000  303 step/s  loss 0.0123  L0 32.0  dead 1.2%  "
            "ETA 1m02s");
  snapshot.step = 10000;
  EXPECT_EQ(formatProgressLine(snapshot, 4),
            "[##--] 10000/20000  303 step/s  loss 0.0123  L0 32.0  dead 1.2%  "
            "ETA 33s");

  // Unknown parts are left out; a NaN loss is shown, it means divergence.
  ProgressSnapshot bare;
  bare.step = 5;
  bare.loss = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(formatProgressLine(bare), "5  loss nan");
  EXPECT_EQ(formatProgressLog(bare), "step 5  loss nan");
}

TEST(ProgressTest, LogModePrintsEveryNSteps) {
  FILE *out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  double time = 0;
  {
    ProgressOptions options;
    options.mode = ProgressOptions::Mode::Log;
    options.out = out;
    options.logEvery = 100;
    options.clock = [&] { return time; };
    ProgressReporter progress(250, options);
    EXPECT_FALSE(progress.interactive());
    for (uint64_t step = 1; step <= 250; ++step) {
      time = static_cast<double>(step) / 64; // exact: 64 steps a second
      progress.update(step, 0.25);
      if (step == 150)
        progress.note("eval: r2 0.91");
    }
  }
  EXPECT_EQ(readAll(out), "step 100/250  64.0 step/s  loss 0.25  ETA 2s\n"
                          "eval: r2 0.91\n"
                          "step 200/250  64.0 step/s  loss 0.25  ETA 1s\n"
                          "step 250/250  64.0 step/s  loss 0.25  ETA 0s\n");
  std::fclose(out);
}

TEST(ProgressTest, LogModeFinishPrintsTheLastStep) {
  FILE *out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ProgressOptions options;
  options.mode = ProgressOptions::Mode::Log;
  options.out = out;
  options.logEvery = 10;
  options.clock = [] { return 0.0; };
  ProgressReporter progress(0, options);
  for (uint64_t step = 1; step <= 12; ++step)
    progress.update(step, std::nullopt, 4.0);
  progress.finish();
  progress.finish();
  EXPECT_EQ(readAll(out), "step 10  L0 4.0\nstep 12  L0 4.0\n");
  std::fclose(out);
}

TEST(ProgressTest, InteractiveModeRedrawsInPlaceAtMostTenTimesASecond) {
  FILE *out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  double time = 0;
  {
    ProgressOptions options;
    options.mode = ProgressOptions::Mode::Interactive;
    options.out = out;
    options.clock = [&] { return time; };
    ProgressReporter progress(100, options);
    EXPECT_TRUE(progress.interactive());
    for (uint64_t step = 1; step <= 100; ++step) {
      time = static_cast<double>(step) / 32; // 3.125 s in all
      progress.update(step, 0.25, 8.0, 0.5);
    }
  }
  std::string text = readAll(out);
  // Steps 1, 5, ..., 97 (every 0.125 s), the last step, and finish().
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 27);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.substr(text.rfind('\r')),
            "\r[##########] 100/100  32.0 step/s  loss 0.25  L0 8.0  dead "
            "50.0%  ETA 0s\x1b[K\n");
  std::fclose(out);
}

TEST(ProgressTest, InteractiveNoteKeepsTheBar) {
  FILE *out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ProgressOptions options;
  options.mode = ProgressOptions::Mode::Interactive;
  options.out = out;
  options.clock = [] { return 0.0; };
  ProgressReporter progress(10, options);
  progress.update(1);
  progress.note("checkpoint written");
  EXPECT_EQ(readAll(out), "\r[#---------] 1/10\x1b[K"
                          "\r\x1b[Kcheckpoint written\n"
                          "\r[#---------] 1/10\x1b[K");
  progress.finish();
  std::fclose(out);
}

} // namespace
