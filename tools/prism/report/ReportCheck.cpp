//===- ReportCheck.cpp - Shape of an analysis report ----------------------===//
//
// One Checker walks the report; the first failure is kept and every later
// check returns false at once, so each helper can simply bail out. Figures
// (metrics) may be null; counts and histogram edges may not.
//
//===----------------------------------------------------------------------===//

#include "ReportCheck.h"

#include <cmath>
#include <string>

using namespace prism;
using json = nlohmann::ordered_json;

namespace {

enum class Kind { Object, Array, String, Number, Figure, ObjectOrNull };

std::string describe(const json &value) {
  switch (value.type()) {
  case json::value_t::object:
    return "an object";
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::null:
    return "null";
  case json::value_t::number_float:
    if (!std::isfinite(value.get<double>()))
      return std::to_string(value.get<double>());
    return "a number";
  default:
    return "a number";
  }
}

class Checker {
public:
  Status result() const {
    return error.empty() ? Status::ok() : Status::error("", error);
  }
  bool failed() const { return !error.empty(); }

  bool fail(const std::string &path, const std::string &message) {
    if (error.empty())
      error = path + ": " + message;
    return false;
  }

  /// `value` (at `path`) is of `kind`.
  bool is(const json &value, const std::string &path, Kind kind) {
    if (failed())
      return false;
    bool finite = value.is_number() && std::isfinite(value.get<double>());
    switch (kind) {
    case Kind::Object:
      return value.is_object() ||
             fail(path, "expected an object, found " + describe(value));
    case Kind::ObjectOrNull:
      return value.is_object() || value.is_null() ||
             fail(path, "expected an object or null, found " + describe(value));
    case Kind::Array:
      return value.is_array() ||
             fail(path, "expected an array, found " + describe(value));
    case Kind::String:
      return value.is_string() ||
             fail(path, "expected a string, found " + describe(value));
    case Kind::Number:
      return finite ||
             fail(path, "expected a finite number, found " + describe(value));
    case Kind::Figure:
      return finite || value.is_null() ||
             fail(path,
                  "expected a finite number or null, found " + describe(value));
    }
    return false;
  }

  /// `object[key]` exists and is of `kind`; `object` is at `path`.
  bool has(const json &object, const std::string &path, const char *key,
           Kind kind) {
    if (failed())
      return false;
    std::string inner = path.empty() ? key : path + "." + key;
    auto it = object.find(key);
    if (it == object.end())
      return fail(inner, "missing");
    return is(*it, inner, kind);
  }

  /// Every key of `keys` is present with `kind`.
  bool hasAll(const json &object, const std::string &path,
              std::initializer_list<const char *> keys, Kind kind) {
    for (const char *key : keys)
      if (!has(object, path, key, kind))
        return false;
    return true;
  }

  /// `object[key]` is absent (a report from before the key existed) or of
  /// `kind`.
  bool hasOptional(const json &object, const std::string &path, const char *key,
                   Kind kind) {
    if (failed())
      return false;
    auto it = object.find(key);
    return it == object.end() || is(*it, path + "." + key, kind);
  }

  /// An array whose every element is of `kind`.
  bool arrayOf(const json &object, const std::string &path, const char *key,
               Kind kind) {
    if (!has(object, path, key, Kind::Array))
      return false;
    std::string inner = path + "." + key;
    const json &array = object[key];
    for (size_t i = 0; i < array.size(); ++i)
      if (!is(array[i], inner + "[" + std::to_string(i) + "]", kind))
        return false;
    return true;
  }

  /// {edges, and each of `series`}: increasing edges, one more than values.
  bool histogram(const json &parent, const std::string &path, const char *key,
                 std::initializer_list<const char *> series) {
    if (!has(parent, path, key, Kind::Object))
      return false;
    std::string inner = path + "." + key;
    const json &h = parent[key];
    if (!arrayOf(h, inner, "edges", Kind::Number))
      return false;
    const json &edges = h["edges"];
    if (edges.size() < 2)
      return fail(inner + ".edges", "expected at least 2 edges, found " +
                                        std::to_string(edges.size()));
    for (size_t i = 1; i < edges.size(); ++i)
      if (!(edges[i].get<double>() > edges[i - 1].get<double>()))
        return fail(inner + ".edges[" + std::to_string(i) + "]",
                    "edges must increase");
    for (const char *name : series) {
      if (!arrayOf(h, inner, name, Kind::Number))
        return false;
      if (h[name].size() + 1 != edges.size())
        return fail(inner + "." + name, "expected " +
                                            std::to_string(edges.size() - 1) +
                                            " values (one per bin), found " +
                                            std::to_string(h[name].size()));
    }
    return true;
  }

private:
  std::string error;
};

std::string at(const std::string &path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

/// bridge[key]: the top pairs, each with its figures and captions; the
/// chance co-activation came later and may be absent.
bool checkBridgePairs(Checker &c, const json &bridge, const std::string &path,
                      const char *key) {
  if (!c.has(bridge, path, key, Kind::Array))
    return false;
  const json &top = bridge[key];
  for (size_t i = 0; i < top.size(); ++i) {
    std::string tp = at(path + "." + key, i);
    if (!c.is(top[i], tp, Kind::Object) ||
        !c.hasAll(top[i], tp,
                  {"image_concept", "text_concept", "score", "coactivation",
                   "cosine", "cross_correlation", "image_modality",
                   "text_modality"},
                  Kind::Figure) ||
        !c.hasOptional(top[i], tp, "chance_coactivation", Kind::Figure) ||
        !c.arrayOf(top[i], tp, "captions", Kind::String))
      return false;
  }
  return true;
}

void checkRun(Checker &c, const json &run, const std::string &path) {
  if (!c.is(run, path, Kind::Object) ||
      !c.hasAll(run, path,
                {"name", "path", "model", "architecture", "selection"},
                Kind::String) ||
      !c.hasAll(run, path,
                {"seed", "step", "latents", "r2_per_dim", "r2_global", "l0",
                 "dead_fraction"},
                Kind::Figure) ||
      !c.has(run, path, "concepts", Kind::Object))
    return;
  std::string cp = path + ".concepts";
  const json &concepts = run["concepts"];
  if (!c.hasAll(concepts, cp,
                {"alive", "modality_defined", "modality_above_0_9",
                 "modality_below_0_1", "mean_norm_in_subspace",
                 "mean_classifier_accuracy"},
                Kind::Figure) ||
      !c.histogram(concepts, cp, "modality_histogram",
                   {"unweighted", "energy_weighted"}) ||
      !c.histogram(concepts, cp, "norm_in_subspace_histogram",
                   {"unweighted"}) ||
      !c.histogram(concepts, cp, "classifier_accuracy_histogram",
                   {"unweighted"}) ||
      !c.has(run, path, "bridge", Kind::ObjectOrNull) ||
      run["bridge"].is_null()) // null: the data has no aligned pairs
    return;

  std::string bp = path + ".bridge";
  const json &bridge = run["bridge"];
  if (!c.hasAll(bridge, bp, {"pairs", "total"}, Kind::Figure) ||
      !c.hasOptional(bridge, bp, "support", Kind::Figure) ||
      !c.hasOptional(bridge, bp, "diagonal", Kind::Figure) ||
      !checkBridgePairs(c, bridge, bp, "top") ||
      (bridge.contains("top_cross_correlation") &&
       !checkBridgePairs(c, bridge, bp, "top_cross_correlation")) ||
      !c.has(bridge, bp, "null", Kind::Object) ||
      !c.hasAll(bridge["null"], bp + ".null",
                {"shuffles", "total_mean", "top_score_mean", "top_score_max"},
                Kind::Figure) ||
      !c.has(bridge, bp, "heatmap", Kind::Object))
    return;
  std::string hp = bp + ".heatmap";
  const json &heat = bridge["heatmap"];
  if (!c.arrayOf(heat, hp, "image_concepts", Kind::Number) ||
      !c.arrayOf(heat, hp, "text_concepts", Kind::Number) ||
      !c.has(heat, hp, "values", Kind::Array))
    return;
  const json &values = heat["values"];
  size_t rows = heat["image_concepts"].size();
  size_t cols = heat["text_concepts"].size();
  if (values.size() != rows) {
    c.fail(hp + ".values", "expected " + std::to_string(rows) +
                               " rows (one per image concept), found " +
                               std::to_string(values.size()));
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    std::string rp = at(hp + ".values", r);
    if (!c.is(values[r], rp, Kind::Array))
      return;
    if (values[r].size() != cols) {
      c.fail(rp, "expected " + std::to_string(cols) +
                     " values (one per text concept), found " +
                     std::to_string(values[r].size()));
      return;
    }
    for (size_t k = 0; k < cols; ++k)
      if (!c.is(values[r][k], at(rp, k), Kind::Figure))
        return;
  }
}

void checkBaseline(Checker &c, const json &baseline, const std::string &path) {
  if (!c.is(baseline, path, Kind::Object) ||
      !c.has(baseline, path, "method", Kind::String) ||
      !c.has(baseline, path, "points", Kind::Array))
    return;
  const json &points = baseline["points"];
  for (size_t i = 0; i < points.size(); ++i) {
    std::string pp = at(path + ".points", i);
    if (!c.is(points[i], pp, Kind::Object) ||
        !c.hasAll(points[i], pp, {"size", "l0", "r2_per_dim", "r2_global"},
                  Kind::Figure))
      return;
  }
}

void checkStability(Checker &c, const json &stability,
                    const std::string &path) {
  if (stability.is_null() ||
      !c.hasAll(stability, path, {"mean", "mean_top_energy_decile"},
                Kind::Figure) ||
      !c.has(stability, path, "pairs", Kind::Array))
    return;
  const json &pairs = stability["pairs"];
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::string pp = at(path + ".pairs", i);
    if (!c.is(pairs[i], pp, Kind::Object) ||
        !c.hasAll(pairs[i], pp, {"a", "b"}, Kind::String) ||
        !c.hasAll(pairs[i], pp, {"stability", "top_energy_decile"},
                  Kind::Figure) ||
        !c.has(pairs[i], pp, "bins", Kind::Array))
      return;
    const json &bins = pairs[i]["bins"];
    for (size_t b = 0; b < bins.size(); ++b) {
      std::string bp = at(pp + ".bins", b);
      if (!c.is(bins[b], bp, Kind::Object) ||
          !c.hasAll(bins[b], bp,
                    {"energy_low", "energy_high", "concepts", "mean_cosine"},
                    Kind::Figure))
        return;
    }
  }
}

/// modality_subspace.random_direction, the chance reference added after the
/// first reports: absent, null, or its three figures.
bool checkRandomDirection(Checker &c, const json &subspace) {
  if (!c.hasOptional(subspace, "modality_subspace", "random_direction",
                     Kind::ObjectOrNull))
    return false;
  auto it = subspace.find("random_direction");
  return it == subspace.end() || it->is_null() ||
         c.hasAll(*it, "modality_subspace.random_direction",
                  {"directions", "mean_norm_in_subspace",
                   "mean_classifier_accuracy"},
                  Kind::Figure);
}

} // namespace

Status prism::report::checkReport(const json &report) {
  Checker c;
  if (!c.is(report, "report", Kind::Object) ||
      !c.has(report, "", "format", Kind::String))
    return c.result();
  if (report["format"] != "prism-analysis-report")
    return Status::error("", "format: expected \"prism-analysis-report\", "
                             "found \"" +
                                 report["format"].get<std::string>() + "\"");
  if (!c.has(report, "", "version", Kind::Number))
    return c.result();
  if (report["version"].get<double>() != 1)
    return Status::error("", "version: expected 1, found " +
                                 report["version"].dump());
  if (!c.has(report, "", "command", Kind::String) ||
      !c.has(report, "", "definitions", Kind::Object))
    return c.result();
  for (const auto &[key, value] : report["definitions"].items())
    if (!c.is(value, "definitions." + key, Kind::String))
      return c.result();
  if (!c.has(report, "", "data", Kind::Object) ||
      !c.has(report["data"], "data", "path", Kind::String) ||
      !c.hasAll(report["data"], "data",
                {"rows", "image_rows", "text_rows", "pairs", "dim"},
                Kind::Figure) ||
      !c.has(report, "", "modality_subspace", Kind::Object) ||
      !c.has(report["modality_subspace"], "modality_subspace", "method",
             Kind::String) ||
      !c.has(report["modality_subspace"], "modality_subspace", "dims",
             Kind::Figure) ||
      !c.arrayOf(report["modality_subspace"], "modality_subspace", "accuracy",
                 Kind::Figure) ||
      !checkRandomDirection(c, report["modality_subspace"]) ||
      !c.has(report, "", "runs", Kind::Array))
    return c.result();
  const json &runs = report["runs"];
  for (size_t i = 0; i < runs.size(); ++i)
    checkRun(c, runs[i], at("runs", i));
  if (!c.has(report, "", "baselines", Kind::Array))
    return c.result();
  for (size_t i = 0; i < report["baselines"].size(); ++i)
    checkBaseline(c, report["baselines"][i], at("baselines", i));
  if (!c.has(report, "", "pareto", Kind::Array))
    return c.result();
  const json &pareto = report["pareto"];
  for (size_t i = 0; i < pareto.size(); ++i) {
    std::string pp = at("pareto", i);
    if (!c.is(pareto[i], pp, Kind::Object) ||
        !c.hasAll(pareto[i], pp, {"method", "kind"}, Kind::String) ||
        !c.hasAll(pareto[i], pp, {"l0", "r2_per_dim", "r2_global"},
                  Kind::Figure))
      return c.result();
    std::string kind = pareto[i]["kind"];
    if (kind != "sae" && kind != "baseline")
      return Status::error("", pp +
                                   ".kind: expected \"sae\" or "
                                   "\"baseline\", found \"" +
                                   kind + "\"");
  }
  if (c.has(report, "", "stability", Kind::ObjectOrNull))
    checkStability(c, report["stability"], "stability");
  return c.result();
}
