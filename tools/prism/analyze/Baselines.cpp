//===- Baselines.cpp - Linear baselines under `prism analyze` -------------===//

#include "Baselines.h"

#include "prism/runtime/LinearBaselines.h"
#include "prism/runtime/Random.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>

using namespace prism;
using namespace prism::analyze;

/// The sizes of `sweep` that fit under `limit`.
static std::vector<uint64_t> upTo(std::vector<uint64_t> sweep, uint64_t limit) {
  std::vector<uint64_t> out;
  for (uint64_t size : sweep)
    if (size <= limit)
      out.push_back(size);
  return out;
}

/// The first `count` rows of a seeded random permutation of the data's rows,
/// in ascending order, copied out.
static std::vector<float> sampleRows(const Dataset &data, uint64_t count,
                                     uint64_t seed) {
  std::vector<uint64_t> order(data.rows());
  for (uint64_t r = 0; r < order.size(); ++r)
    order[r] = r;
  Xoshiro256 rng(derivedSeed(seed, 0x6261'7365)); // "base"
  shuffle(order, rng);
  order.resize(count);
  std::sort(order.begin(), order.end());
  std::vector<float> out(count * data.dim());
  for (uint64_t i = 0; i < count; ++i)
    std::copy_n(data.row(order[i]), data.dim(), &out[i * data.dim()]);
  return out;
}

StatusOr<Json> prism::analyze::runBaselines(const Dataset &data,
                                            const BaselineOptions &options) {
  const float *x = data.data();
  uint64_t rows = data.rows();
  uint32_t dim = data.dim();
  std::vector<float> sample;
  if (options.maxRows && rows > options.maxRows) {
    sample = sampleRows(data, options.maxRows, options.seed);
    x = sample.data();
    rows = options.maxRows;
    std::cerr << "analyze: baselines fit on a random sample of " << rows
              << " of the " << data.rows() << " rows\n";
  }
  // Matching pursuit on a smaller sample when its rows × atoms correlations
  // need it: the first rows of the same permutation, so a subset of the
  // other baselines' sample.
  uint64_t pursuitRows = rows;
  const float *pursuitX = x;
  std::vector<float> pursuitSample;
  if (options.atoms)
    pursuitRows = std::max<uint64_t>(
        1, std::min(rows, kPursuitBytes / (sizeof(double) * options.atoms)));
  if (pursuitRows < rows) {
    pursuitSample = sampleRows(data, pursuitRows, options.seed);
    pursuitX = pursuitSample.data();
  }
  uint64_t rank = std::min<uint64_t>(rows, dim);
  using Sweep = std::function<StatusOr<BaselineSweep>()>;
  std::vector<std::pair<std::string, Sweep>> sweeps = {
      {"pca",
       [&] {
         return pcaSweep(x, rows, dim,
                         upTo({1, 2, 4, 8, 16, 32, 64, 128, 256}, rank));
       }},
      {"kmeans",
       [&] {
         return kmeansSweep(x, rows, dim, upTo({16, 64, 256}, rows),
                            options.seed, 100);
       }},
      {"semi_nmf",
       [&] {
         return semiNmfSweep(x, rows, dim, upTo({8, 32, 128}, rank),
                             options.seed, 100);
       }},
      {"ica",
       [&] {
         return icaSweep(x, rows, dim, upTo({8, 32}, rank), options.seed, 200);
       }},
  };
  if (options.dictionary)
    sweeps.push_back({"matching_pursuit", [&] {
                        return matchingPursuitSweep(
                            pursuitX, pursuitRows, dim, options.dictionary,
                            options.atoms,
                            upTo({1, 2, 4, 8, 16, 32, 64}, options.atoms));
                      }});

  Json out = Json::array();
  for (auto &[name, sweep] : sweeps) {
    auto start = std::chrono::steady_clock::now();
    StatusOr<BaselineSweep> result = sweep();
    if (!result.isOk())
      return Status::error(data.path(), "baseline " + name + ": " +
                                            result.getStatus().str());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    char line[128];
    std::snprintf(line, sizeof(line), "analyze: baseline %s, %zu sizes, %.1f s",
                  name.c_str(), result->points.size(), seconds);
    std::cerr << line << "\n";
    Json points = Json::array();
    for (const BaselinePoint &point : result->points) {
      Json json = Json::object();
      json["size"] = point.size;
      json["l0"] = number(point.l0);
      json["r2_per_dim"] = optionalNumber(point.r2PerDim);
      json["r2_global"] = optionalNumber(point.r2Global);
      points.push_back(std::move(json));
    }
    Json method = Json::object();
    method["method"] = name;
    method["rows"] = name == "matching_pursuit" ? pursuitRows : rows;
    method["points"] = std::move(points);
    out.push_back(std::move(method));
  }
  return out;
}
