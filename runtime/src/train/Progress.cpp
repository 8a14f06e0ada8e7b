//===- Progress.cpp - Progress of long loops ------------------------------===//

#include "prism/runtime/Progress.h"

#include <chrono>
#include <cmath>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace prism;

// The rate is measured over at least this long, so per-step jitter does not
// make it (and the ETA) flicker.
static const double kRateWindowSeconds = 0.5;
// Weight of the newest window in the smoothed rate.
static const double kRateSmoothing = 0.3;

static std::string format(const char *pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), pattern, value);
  return buffer;
}

std::string prism::formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  if (seconds >= 1e12)
    return "?";
  uint64_t total = static_cast<uint64_t>(std::llround(seconds));
  char buffer[48];
  if (total < 60)
    std::snprintf(buffer, sizeof(buffer), "%llus",
                  static_cast<unsigned long long>(total));
  else if (total < 3600)
    std::snprintf(buffer, sizeof(buffer), "%llum%02llus",
                  static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  else if (total < 86400)
    std::snprintf(buffer, sizeof(buffer), "%lluh%02llum",
                  static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total % 3600 / 60));
  else
    std::snprintf(buffer, sizeof(buffer), "%llud%02lluh",
                  static_cast<unsigned long long>(total / 86400),
                  static_cast<unsigned long long>(total % 86400 / 3600));
  return buffer;
}

std::string prism::formatBar(uint64_t done, uint64_t total, unsigned width) {
  uint64_t filled = 0;
  if (total > 0)
    filled = done >= total
                 ? width
                 : static_cast<uint64_t>(static_cast<double>(done) /
                                         static_cast<double>(total) * width);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') +
         "]";
}

std::string prism::formatRate(double stepsPerSecond) {
  const char *pattern = stepsPerSecond >= 99.5    ? "%.0f step/s"
                        : stepsPerSecond >= 9.995 ? "%.1f step/s"
                                                  : "%.2f step/s";
  return format(pattern, stepsPerSecond);
}

/// Everything after the step count, shared by both line kinds.
static std::string details(const ProgressSnapshot &snapshot) {
  std::string out;
  if (snapshot.stepsPerSecond > 0)
    out += "  " + formatRate(snapshot.stepsPerSecond);
  if (snapshot.loss)
    out += "  loss " + format("%.4g", *snapshot.loss);
  if (snapshot.l0)
    out += "  L0 " + format("%.1f", *snapshot.l0);
  if (snapshot.deadFraction)
    out += "  dead " + format("%.1f%%", *snapshot.deadFraction * 100);
  if (snapshot.total > 0 && snapshot.stepsPerSecond > 0) {
    uint64_t left =
        snapshot.step < snapshot.total ? snapshot.total - snapshot.step : 0;
    out += "  ETA " +
           formatDuration(static_cast<double>(left) / snapshot.stepsPerSecond);
  }
  return out;
}

static std::string stepCount(const ProgressSnapshot &snapshot) {
  std::string out = std::to_string(snapshot.step);
  if (snapshot.total > 0)
    out += "/" + std::to_string(snapshot.total);
  return out;
}

std::string prism::formatProgressLine(const ProgressSnapshot &snapshot,
                                      unsigned barWidth) {
  std::string out;
  if (snapshot.total > 0)
    out = formatBar(snapshot.step, snapshot.total, barWidth) + " ";
  return out + stepCount(snapshot) + details(snapshot);
}

std::string prism::formatProgressLog(const ProgressSnapshot &snapshot) {
  return "step " + stepCount(snapshot) + details(snapshot);
}

//===----------------------------------------------------------------------===//
// ProgressReporter
//===----------------------------------------------------------------------===//

ProgressReporter::ProgressReporter(uint64_t totalSteps, ProgressOptions opts)
    : options(std::move(opts)) {
  using Mode = ProgressOptions::Mode;
  isInteractive =
      options.mode == Mode::Interactive ||
      (options.mode == Mode::Auto && ::isatty(::fileno(options.out)));
  if (options.logEvery == 0)
    options.logEvery = 1;
  last.total = totalSteps;
}

ProgressReporter::~ProgressReporter() { finish(); }

double ProgressReporter::now() const {
  if (options.clock)
    return options.clock();
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Columns of the terminal behind `out`; 80 when unknown.
static unsigned terminalColumns(FILE *out) {
  struct winsize size;
  if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  return 80;
}

void ProgressReporter::draw() {
  std::string line = formatProgressLine(last, options.barWidth);
  // A line that wraps could not be redrawn in place.
  unsigned columns = terminalColumns(options.out);
  if (columns > 1 && line.size() > columns - 1)
    line.resize(columns - 1);
  std::fprintf(options.out, "\r%s\x1b[K", line.c_str());
  std::fflush(options.out);
  drawn = true;
}

void ProgressReporter::update(uint64_t step, std::optional<double> loss,
                              std::optional<double> l0,
                              std::optional<double> deadFraction) {
  if (finished)
    return;
  double time = now();
  if (!started) {
    started = true;
    sampleTime = time;
    sampleStep = step;
    lastDraw = time - options.minRedrawSeconds; // draw the first update
  } else if (time - sampleTime >= kRateWindowSeconds && step >= sampleStep) {
    double rate = static_cast<double>(step - sampleStep) / (time - sampleTime);
    last.stepsPerSecond =
        last.stepsPerSecond > 0
            ? (1 - kRateSmoothing) * last.stepsPerSecond + kRateSmoothing * rate
            : rate;
    sampleTime = time;
    sampleStep = step;
  }
  last.step = step;
  last.loss = loss;
  last.l0 = l0;
  last.deadFraction = deadFraction;

  if (isInteractive) {
    if (time - lastDraw >= options.minRedrawSeconds ||
        (last.total > 0 && step >= last.total)) {
      lastDraw = time;
      draw();
    }
    return;
  }
  logged = false;
  if (step % options.logEvery == 0 || (last.total > 0 && step >= last.total)) {
    std::fprintf(options.out, "%s\n", formatProgressLog(last).c_str());
    std::fflush(options.out);
    logged = true;
  }
}

void ProgressReporter::note(const std::string &line) {
  if (isInteractive && drawn)
    std::fprintf(options.out, "\r\x1b[K");
  std::fprintf(options.out, "%s\n", line.c_str());
  if (isInteractive && drawn && !finished)
    draw();
  std::fflush(options.out);
}

void ProgressReporter::finish() {
  if (finished)
    return;
  finished = true;
  if (!started)
    return;
  if (isInteractive) {
    draw();
    std::fprintf(options.out, "\n");
  } else if (!logged) {
    std::fprintf(options.out, "%s\n", formatProgressLog(last).c_str());
  }
  std::fflush(options.out);
}
