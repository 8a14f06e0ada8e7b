//===- ReportJson.cpp - report.json sections of `prism analyze` -----------===//

#include "ReportJson.h"

#include <algorithm>
#include <cmath>

using namespace prism;
using namespace prism::analyze;

Json prism::analyze::number(double value) {
  if (!std::isfinite(value))
    return nullptr;
  return value;
}

Json prism::analyze::optionalNumber(const std::optional<double> &value) {
  return value ? number(*value) : Json(nullptr);
}

Json prism::analyze::paretoPoint(const Json &method, const char *kind,
                                 const Json &figures) {
  Json point = Json::object();
  point["method"] = method;
  point["kind"] = kind;
  point["l0"] = figures["l0"];
  point["r2_per_dim"] = figures["r2_per_dim"];
  point["r2_global"] = figures["r2_global"];
  return point;
}

Json prism::analyze::definitionsJson() {
  Json out = Json::object();
  out["r2_per_dim"] = "1 − Σ‖x − x̂‖² / Σ‖x − x̄‖², x̄ the per-dimension mean "
                      "(SAELens)";
  out["r2_global"] = "1 − mean((x − x̂)²) / mean((x − m)²), m the mean of all "
                     "entries (overcomplete)";
  out["l0"] = "mean number of non-zero codes per row";
  out["dead_fraction"] = "share of concepts that fire on no row of the data";
  out["energy"] = "Eᵢ = mean over all rows of zᵢ";
  out["modality_score"] =
      "μᵢ = 𝔼_image[zᵢ] / (𝔼_image[zᵢ] + 𝔼_text[zᵢ]); 1 image-only, 0 "
      "text-only, null for a concept that never fires";
  out["energy_weighted_histogram"] =
      "each concept counts with its energy Eᵢ; bins normalised to sum 1";
  out["bridge_score"] = "B_ij = (1/P) Σ_p zᴵ_{p,i} zᵀ_{p,j} · cos(dᵢ, dⱼ) over "
                        "the P aligned pairs; i on the image, j on the caption";
  out["coactivation"] = "C_ij = (1/P) Σ_p zᴵ_{p,i} zᵀ_{p,j}";
  out["cross_correlation"] =
      "ρ_ij = (C_ij − mᴵᵢ mᵀⱼ) / √(vᴵᵢ vᵀⱼ), m and v a concept's mean and "
      "variance over the pairs' images (ᴵ) or captions (ᵀ)";
  out["cross_correlation_bridge"] =
      "ρ_ij · cos(dᵢ, dⱼ): the Bridge Score with the co-activation replaced "
      "by the cross-correlation, which does not favour frequent concepts";
  out["chance_coactivation"] = "mᴵᵢ mᵀⱼ: the mean of C_ij when captions are "
                               "assigned to images at random";
  out["bridge_null"] = "B recomputed with the captions assigned to the images "
                       "by a random permutation";
  out["bridge_energy"] = "row sums (image side) and column sums (caption "
                         "side) of B";
  out["stability"] = "(1/n) max over permutations π of Σᵢ cos(dᵢ, d′_π(i)), "
                     "exact assignment (Jonker-Volgenant)";
  out["stability_by_energy"] =
      "mean matched cosine of the concepts in each energy decile of the "
      "first run (concepts that never fire in a bin of their own)";
  out["modality_subspace"] =
      "span of the image-vs-text LDA directions found by iterated nullspace "
      "projection on the embeddings";
  out["norm_in_subspace"] = "‖P_M dᵢ‖ for the unit decoder row dᵢ";
  out["random_direction"] =
      "the same figures for 256 uniformly random unit directions: what a "
      "concept with no relation to the modality would score";
  out["classifier_accuracy"] =
      "accuracy of the best threshold on x·dᵢ as an image-vs-text "
      "classifier over all rows, either orientation";
  return out;
}

static Json histogramJson(const Histogram &unweighted,
                          const Histogram *weighted) {
  Json out = Json::object();
  out["edges"] = unweighted.edges;
  out["unweighted"] = unweighted.counts;
  if (weighted) {
    double sum = 0;
    for (double v : weighted->counts)
      sum += v;
    Json normalised = Json::array();
    for (double v : weighted->counts)
      normalised.push_back(sum > 0 ? v / sum : 0.0);
    out["energy_weighted"] = std::move(normalised);
  }
  return out;
}

static Json bridgeEntryJson(const BridgeEntry &entry, const RunAnalysis &run) {
  Json out = Json::object();
  out["image_concept"] = entry.image;
  out["text_concept"] = entry.text;
  out["score"] = number(entry.score);
  out["coactivation"] = number(entry.coactivation);
  out["cosine"] = number(entry.cosine);
  out["cross_correlation"] = number(entry.crossCorrelation);
  out["chance_coactivation"] = number(entry.chanceCoactivation);
  out["image_modality"] = number(run.stats.modality[entry.image]);
  out["text_modality"] = number(run.stats.modality[entry.text]);
  return out;
}

static Json bridgeJson(const RunAnalysis &run, const Dataset &data,
                       const DataPairs &pairs, const BridgeOptions &options) {
  const BridgeAnalysis &bridge = *run.bridge;
  Json out = Json::object();
  out["pairs"] = bridge.pairs();
  out["support"] = bridge.support();
  out["total"] = number(bridge.total());
  out["diagonal"] = number(bridge.diagonal());
  auto ranked = [&](BridgeRanking ranking) {
    Json top = Json::array();
    for (const BridgeEntry &entry : bridge.top(options.top, ranking)) {
      Json json = bridgeEntryJson(entry, run);
      Json captions = Json::array();
      if (data.hasCaptions())
        for (uint64_t p : bridge.topPairs(run.codes, pairs.rows, entry.image,
                                          entry.text, options.captions))
          captions.push_back(data.caption(static_cast<uint64_t>(pairs.ids[p])));
      json["captions"] = std::move(captions);
      top.push_back(std::move(json));
    }
    return top;
  };
  out["top"] = ranked(BridgeRanking::Score);
  out["top_cross_correlation"] = ranked(BridgeRanking::CrossCorrelation);

  BridgeNullModel null = bridge.nullModel(run.codes, pairs.rows,
                                          options.nullShuffles, options.seed);
  Json nullJson = Json::object();
  nullJson["shuffles"] = null.shuffles;
  nullJson["total_mean"] = number(null.totalMean);
  nullJson["top_score_mean"] = number(null.topScoreMean);
  nullJson["top_score_max"] = number(null.topScoreMax);
  out["null"] = std::move(nullJson);

  // The heat map's rows and columns: the concepts of the top pairs, in the
  // order they first appear.
  std::vector<uint32_t> rows, columns;
  for (const BridgeEntry &entry : bridge.top(options.heatmap)) {
    if (std::find(rows.begin(), rows.end(), entry.image) == rows.end())
      rows.push_back(entry.image);
    if (std::find(columns.begin(), columns.end(), entry.text) == columns.end())
      columns.push_back(entry.text);
  }
  Json values = Json::array();
  for (uint32_t i : rows) {
    Json row = Json::array();
    for (uint32_t j : columns)
      row.push_back(number(bridge.entry(i, j).score));
    values.push_back(std::move(row));
  }
  Json heatmap = Json::object();
  heatmap["image_concepts"] = rows;
  heatmap["text_concepts"] = columns;
  heatmap["values"] = std::move(values);
  out["heatmap"] = std::move(heatmap);
  return out;
}

/// A compiled block's metrics: scalars as numbers, arrays summarised by
/// shape, finite count and mean. A per-concept metric that the analysis also
/// computes (energy, modality) is compared with it entry by entry: the two
/// come from different code (compiled kernels, runtime C++) and must agree.
static Json modelMetricsJson(const RunAnalysis &run) {
  Json out = Json::object();
  for (const auto &[block, metrics] : run.modelMetrics) {
    Json values = Json::object(), agreement = Json::object();
    for (const BlockMetric &metric : metrics) {
      if (metric.shape.empty()) {
        values[metric.name] = number(metric.values.front());
        continue;
      }
      uint64_t finite = metric.finiteCount();
      double sum = metric.finiteSum();
      Json summary = Json::object();
      summary["shape"] = metric.shape;
      summary["finite"] = finite;
      summary["mean"] = number(finite ? sum / finite : NAN);
      values[metric.name] = std::move(summary);

      const std::vector<double> *own =
          metric.name == "energy"     ? &run.stats.energy
          : metric.name == "modality" ? &run.stats.modality
                                      : nullptr;
      if (!own || metric.values.size() != own->size())
        continue;
      double worst = 0;
      uint64_t mismatched = 0;
      for (size_t i = 0; i < own->size(); ++i) {
        bool a = std::isfinite(metric.values[i]), b = std::isfinite((*own)[i]);
        if (a != b)
          ++mismatched;
        else if (a)
          worst = std::max(worst, std::fabs(metric.values[i] - (*own)[i]));
      }
      Json check = Json::object();
      check["max_abs_difference"] = number(worst);
      check["undefined_mismatches"] = mismatched;
      agreement[metric.name] = std::move(check);
    }
    Json json = Json::object();
    json["metrics"] = std::move(values);
    json["agreement_with_analysis"] = std::move(agreement);
    out[block] = std::move(json);
  }
  return out;
}

Json prism::analyze::runJson(const RunAnalysis &run, const Dataset &data,
                             const DataPairs &pairs,
                             const BridgeOptions &options) {
  const ReconstructionMetrics &recon = run.metrics.all.reconstruction;
  const SparsityMetrics &sparsity = run.metrics.all.sparsity;
  Json out = Json::object();
  out["name"] = run.name;
  out["path"] = run.path;
  out["model"] = run.model;
  out["architecture"] = run.architecture;
  out["seed"] = run.seed;
  out["step"] = run.step;
  out["latents"] = run.latents;
  out["selection"] = run.selection;
  out["r2_per_dim"] = optionalNumber(recon.r2PerDim);
  out["r2_global"] = optionalNumber(recon.r2GlobalScalar);
  out["l0"] = optionalNumber(sparsity.l0);
  out["dead_fraction"] = number(sparsity.deadFraction);

  const ConceptStats &stats = run.stats;
  uint64_t alive = 0, defined = 0, above = 0, below = 0;
  for (uint64_t i = 0; i < run.latents; ++i) {
    alive += stats.fired[i] > 0;
    double mu = stats.modality[i];
    if (!std::isfinite(mu))
      continue;
    ++defined;
    above += mu > 0.9;
    below += mu < 0.1;
  }
  Json concepts = Json::object();
  concepts["alive"] = alive;
  concepts["modality_defined"] = defined;
  concepts["modality_above_0_9"] =
      number(defined ? double(above) / defined : NAN);
  concepts["modality_below_0_1"] =
      number(defined ? double(below) / defined : NAN);
  Histogram unweighted = histogram(stats.modality, 20, 0.0, 1.0);
  Histogram weighted = histogram(stats.modality, 20, 0.0, 1.0, &stats.energy);
  concepts["modality_histogram"] = histogramJson(unweighted, &weighted);
  // The subspace figures over the concepts that fire: a dead concept's
  // direction is its initialisation, not something the data taught it.
  auto aliveOnly = [&](const std::vector<double> &values) {
    std::vector<double> out;
    for (uint64_t i = 0; i < values.size(); ++i)
      if (stats.fired[i] > 0)
        out.push_back(values[i]);
    return out;
  };
  auto mean = [](const std::vector<double> &values) {
    double sum = 0;
    for (double v : values)
      sum += v;
    return values.empty() ? NAN : sum / values.size();
  };
  std::vector<double> norms = aliveOnly(run.normInSubspace);
  std::vector<double> accuracy = aliveOnly(run.classifierAccuracy);
  concepts["mean_norm_in_subspace"] = number(mean(norms));
  concepts["norm_in_subspace_histogram"] =
      histogramJson(histogram(norms, 20, 0.0, 1.0), nullptr);
  concepts["mean_classifier_accuracy"] = number(mean(accuracy));
  concepts["classifier_accuracy_histogram"] =
      histogramJson(histogram(accuracy, 20, 0.5, 1.0), nullptr);
  out["concepts"] = std::move(concepts);
  if (run.bridge)
    out["bridge"] = bridgeJson(run, data, pairs, options);
  else
    out["bridge"] = nullptr;
  out["model_metrics"] = modelMetricsJson(run);
  return out;
}

Json prism::analyze::stabilityPairJson(const std::string &a,
                                       const std::string &b,
                                       const Stability &stability) {
  Json out = Json::object();
  out["a"] = a;
  out["b"] = b;
  out["stability"] = number(stability.overall);
  out["top_energy_decile"] = number(stability.topEnergyBin);
  Json bins = Json::array();
  for (const StabilityBin &bin : stability.bins) {
    Json json = Json::object();
    json["dead"] = bin.dead;
    json["energy_low"] = number(bin.energyLow);
    json["energy_high"] = number(bin.energyHigh);
    json["concepts"] = bin.concepts;
    json["mean_cosine"] = number(bin.meanCosine);
    bins.push_back(std::move(json));
  }
  out["bins"] = std::move(bins);
  return out;
}
