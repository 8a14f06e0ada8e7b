//===- ModalityMeasures.cpp - The modality subspace under analyze ---------===//

#include "ModalityMeasures.h"

#include "RandomDirections.h"

#include "prism/runtime/ModalitySubspace.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

using namespace prism;
using namespace prism::analyze;

LabelledRows prism::analyze::labelledRows(const Dataset &data) {
  LabelledRows out;
  out.x = data.data();
  for (uint64_t r = 0; r < data.rows(); ++r) {
    Modality modality = data.modality(r);
    if (modality == Modality::Unspecified)
      continue;
    out.isImage.push_back(modality == Modality::Image);
    out.images += modality == Modality::Image;
    ++out.rows;
  }
  if (out.rows == data.rows())
    return out;
  for (uint64_t r = 0; r < data.rows(); ++r)
    if (data.modality(r) != Modality::Unspecified)
      out.copy.insert(out.copy.end(), data.row(r), data.row(r) + data.dim());
  out.x = out.copy.data();
  return out;
}

StatusOr<Json> prism::analyze::measureModality(const Dataset &data,
                                               const LabelledRows &rows,
                                               std::vector<RunAnalysis> &runs,
                                               uint32_t dims, uint64_t seed) {
  Json out = Json::object();
  out["method"] = "lda-inlp";
  if (rows.images == 0 || rows.images == rows.rows) {
    std::cerr << "notice: " << data.path() << " has " << rows.images
              << " image rows and " << rows.rows - rows.images
              << " text rows; the modality subspace needs both and is left "
                 "out\n";
    for (RunAnalysis &run : runs) {
      run.normInSubspace.assign(run.latents, NAN);
      run.classifierAccuracy.assign(run.latents, NAN);
    }
    out["dims"] = 0;
    out["accuracy"] = Json::array();
    return out;
  }

  std::cerr << "analyze: modality subspace (" << dims << " directions)\n";
  StatusOr<ModalitySubspace> subspace =
      fitModalitySubspace(rows.x, rows.rows, data.dim(), rows.isImage.data(),
                          dims, kDefaultModalityShrinkage);
  if (!subspace.isOk())
    return Status::error(data.path(), "the modality subspace: " +
                                          subspace.getStatus().getMessage());
  for (RunAnalysis &run : runs) {
    auto start = std::chrono::steady_clock::now();
    const float *dictionary = run.decoder.values.data();
    StatusOr<std::vector<double>> norms =
        subspaceNorms(*subspace, dictionary, run.latents);
    StatusOr<std::vector<double>> accuracy =
        directionAccuracies(rows.x, rows.rows, data.dim(), rows.isImage.data(),
                            dictionary, run.latents);
    if (!norms.isOk() || !accuracy.isOk())
      return Status::error(
          run.path, (norms.isOk() ? accuracy.getStatus() : norms.getStatus())
                        .getMessage());
    run.normInSubspace = norms.take();
    run.classifierAccuracy = accuracy.take();
    std::fprintf(
        stderr,
        "analyze: %s's %llu concepts against the modality subspace "
        "and as classifiers: %.1f s\n",
        run.name.c_str(), static_cast<unsigned long long>(run.latents),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }

  out["dims"] = subspace->dims();
  out["accuracy"] = subspace->accuracy;
  StatusOr<RandomDirectionReference> reference = randomDirectionReference(
      rows.x, rows.rows, data.dim(), rows.isImage.data(), *subspace, 256, seed);
  if (!reference.isOk())
    return Status::error(data.path(), reference.getStatus().getMessage());
  Json random = Json::object();
  random["directions"] = reference->directions;
  random["mean_norm_in_subspace"] = number(reference->meanNormInSubspace);
  random["mean_classifier_accuracy"] =
      number(reference->meanClassifierAccuracy);
  out["random_direction"] = std::move(random);
  return out;
}
