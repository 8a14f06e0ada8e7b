//===- Progress.h - Progress of long loops ----------------------*- C++ -*-===//
//
// On a terminal, training shows one line redrawn in place, at most about ten
// times a second:
//
//   [#####-----] 1200/20000  312 step/s  loss 0.0123  L0 32.0  dead 1.2%  ETA
//   1m02s
//
// Elsewhere (a log file, CI) it prints the same facts as plain lines every N
// steps, so logs stay readable. The formatting is pure and tested apart from
// the reporter.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_PROGRESS_H
#define PRISM_RUNTIME_PROGRESS_H

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace prism {

/// "45s", "1m02s", "2h05m", "3d04h" (rounded to the second first); "?" when
/// negative or not finite.
std::string formatDuration(double seconds);

/// "[#####-----]": `width` cells, filled in proportion to done / total.
std::string formatBar(uint64_t done, uint64_t total, unsigned width);

/// "312 step/s", "31.2 step/s", "3.12 step/s".
std::string formatRate(double stepsPerSecond);

/// What a progress line shows. Unknown parts are left out of the line.
struct ProgressSnapshot {
  uint64_t step = 0;
  uint64_t total = 0;        // 0 when unknown: no bar, no ETA
  double stepsPerSecond = 0; // <= 0 when unknown: no rate, no ETA
  std::optional<double> loss;
  std::optional<double> l0;
  std::optional<double> deadFraction; // in [0, 1], shown as a percentage
};

/// The in-place line: bar, step/total, rate, loss, L0, dead, ETA.
std::string formatProgressLine(const ProgressSnapshot &snapshot,
                               unsigned barWidth = 10);
/// The log line: "step 1200/20000  312 step/s  loss 0.0123 ... ETA 1m02s".
std::string formatProgressLog(const ProgressSnapshot &snapshot);

struct ProgressOptions {
  enum class Mode { Auto, Interactive, Log };
  /// Auto: Interactive when `out` is a terminal, Log otherwise.
  Mode mode = Mode::Auto;
  FILE *out = stderr;
  /// Log mode prints every `logEvery` steps, and the last step.
  uint64_t logEvery = 100;
  /// Interactive mode redraws at most this often.
  double minRedrawSeconds = 0.1;
  unsigned barWidth = 10;
  /// Monotonic seconds; steady_clock when empty. Tests pass a fake.
  std::function<double()> clock;
};

class ProgressReporter {
public:
  explicit ProgressReporter(uint64_t totalSteps, ProgressOptions options = {});
  /// Calls finish().
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter &) = delete;
  ProgressReporter &operator=(const ProgressReporter &) = delete;

  /// Reports that `step` steps are done.
  void update(uint64_t step, std::optional<double> loss = std::nullopt,
              std::optional<double> l0 = std::nullopt,
              std::optional<double> deadFraction = std::nullopt);
  /// Prints a line of its own (a warning, an eval result) without garbling
  /// the progress line, which is redrawn after it.
  void note(const std::string &line);
  /// Draws the last state and ends the line. Later calls do nothing.
  void finish();

  bool interactive() const { return isInteractive; }
  /// The last state reported, with the smoothed rate.
  const ProgressSnapshot &snapshot() const { return last; }

private:
  double now() const;
  void draw();

  ProgressOptions options;
  bool isInteractive;
  bool finished = false;
  bool drawn = false;    // a progress line is on screen (interactive)
  bool logged = true;    // the last state has been logged (log mode)
  bool started = false;  // update() has been called
  double sampleTime = 0; // the rate is measured between samples
  uint64_t sampleStep = 0;
  double lastDraw = 0;
  ProgressSnapshot last;
};

} // namespace prism

#endif // PRISM_RUNTIME_PROGRESS_H
