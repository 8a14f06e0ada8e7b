//===- BridgeScore.cpp - Concepts that bridge images and captions ---------===//
//
// C is accumulated as (key, product) records that are sorted and summed in
// chunks, then merged: memory stays at a chunk plus C's support, whatever
// the number of pairs, and the sums come out in a fixed order.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/BridgeScore.h"

#include "prism/runtime/Random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

using namespace prism;

namespace {

using Entries = std::vector<std::pair<uint64_t, double>>;

/// Sorts `records` by key and sums equal keys in place.
void sortAndSum(Entries &records) {
  std::sort(records.begin(), records.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (out > 0 && records[out - 1].first == records[i].first)
      records[out - 1].second += records[i].second;
    else
      records[out++] = records[i];
  }
  records.resize(out);
}

/// Merges two sorted, summed lists into one.
Entries mergeSums(const Entries &a, const Entries &b) {
  Entries out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first))
      out.push_back(a[i++]);
    else if (i == a.size() || b[j].first < a[i].first)
      out.push_back(b[j++]);
    else {
      out.push_back({a[i].first, a[i].second + b[j].second});
      ++i;
      ++j;
    }
  }
  return out;
}

/// C over the pairs, the caption of pair p taken from pair textOf[p].
Entries coactivation(const SparseCodes &codes,
                     const std::vector<AlignedPair> &pairs,
                     const std::vector<uint64_t> &textOf) {
  constexpr size_t kChunkRecords = size_t(1) << 22; // 64 MiB of records
  const uint64_t n = codes.latents();
  Entries total, chunk;
  for (size_t p = 0; p < pairs.size(); ++p) {
    SparseCodes::Row image = codes.row(pairs[p].image);
    SparseCodes::Row text = codes.row(pairs[textOf[p]].text);
    for (uint32_t a = 0; a < image.size; ++a)
      for (uint32_t b = 0; b < text.size; ++b)
        chunk.push_back({image.index[a] * n + text.index[b],
                         double(image.value[a]) * text.value[b]});
    if (chunk.size() >= kChunkRecords || p + 1 == pairs.size()) {
      sortAndSum(chunk);
      total = total.empty() ? std::move(chunk) : mergeSums(total, chunk);
      chunk.clear();
    }
  }
  double scale = pairs.empty() ? 0.0 : 1.0 / static_cast<double>(pairs.size());
  for (auto &entry : total)
    entry.second *= scale;
  return total;
}

} // namespace

StatusOr<BridgeAnalysis>
BridgeAnalysis::create(const SparseCodes &codes,
                       const std::vector<AlignedPair> &pairs,
                       const float *dictionary, uint32_t dim) {
  if (pairs.empty())
    return Status::error("bridge score", "the data has no aligned image-"
                                         "caption pairs");
  for (size_t p = 0; p < pairs.size(); ++p)
    if (pairs[p].image >= codes.rows() || pairs[p].text >= codes.rows())
      return Status::error(
          "bridge score",
          "pair " + std::to_string(p) + " names row " +
              std::to_string(std::max(pairs[p].image, pairs[p].text)) +
              ", but there are " + std::to_string(codes.rows()) + " rows");
  BridgeAnalysis out;
  out.numPairs = pairs.size();
  out.latents = codes.latents();
  out.dim = dim;
  const uint64_t n = codes.latents();
  out.unitRows.assign(dictionary, dictionary + n * dim);
  for (uint64_t i = 0; i < n; ++i) {
    float *row = out.unitRows.data() + i * dim;
    double norm = 0;
    for (uint32_t c = 0; c < dim; ++c)
      norm += double(row[c]) * row[c];
    if (!std::isfinite(norm))
      return Status::error("W_dec", "row " + std::to_string(i) +
                                        " holds a value that is not finite");
    float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (uint32_t c = 0; c < dim; ++c)
      row[c] *= scale;
  }

  // Per-side moments over the pairs, for the cross-correlation.
  out.imageMean.assign(n, 0.0);
  out.imageVar.assign(n, 0.0);
  out.textMean.assign(n, 0.0);
  out.textVar.assign(n, 0.0);
  out.imageFires.assign(n, 0);
  out.textFires.assign(n, 0);
  for (const AlignedPair &pair : pairs) {
    SparseCodes::Row image = codes.row(pair.image), text = codes.row(pair.text);
    for (uint32_t a = 0; a < image.size; ++a) {
      out.imageMean[image.index[a]] += image.value[a];
      ++out.imageFires[image.index[a]];
      out.imageVar[image.index[a]] += double(image.value[a]) * image.value[a];
    }
    for (uint32_t b = 0; b < text.size; ++b) {
      out.textMean[text.index[b]] += text.value[b];
      ++out.textFires[text.index[b]];
      out.textVar[text.index[b]] += double(text.value[b]) * text.value[b];
    }
  }
  const double count = static_cast<double>(pairs.size());
  for (uint64_t i = 0; i < n; ++i) {
    out.imageMean[i] /= count;
    out.textMean[i] /= count;
    out.imageVar[i] = std::max(0.0, out.imageVar[i] / count -
                                        out.imageMean[i] * out.imageMean[i]);
    out.textVar[i] = std::max(0.0, out.textVar[i] / count -
                                       out.textMean[i] * out.textMean[i]);
  }

  std::vector<uint64_t> identity(pairs.size());
  std::iota(identity.begin(), identity.end(), 0);
  out.entries = coactivation(codes, pairs, identity);
  out.rowSums.assign(n, 0.0);
  out.columnSums.assign(n, 0.0);
  out.supportCosine.reserve(out.entries.size());
  for (const auto &[key, c] : out.entries) {
    uint32_t i = static_cast<uint32_t>(key / n),
             j = static_cast<uint32_t>(key % n);
    out.supportCosine.push_back(out.cosine(i, j));
    double score = c * out.supportCosine.back();
    out.totalScore += score;
    if (i == j)
      out.diagonalScore += score;
    out.rowSums[i] += score;
    out.columnSums[j] += score;
  }
  return out;
}

double BridgeAnalysis::cosine(uint32_t i, uint32_t j) const {
  const float *a = unitRows.data() + uint64_t(i) * dim;
  const float *b = unitRows.data() + uint64_t(j) * dim;
  double dot = 0;
  for (uint32_t c = 0; c < dim; ++c)
    dot += double(a[c]) * b[c];
  return dot;
}

BridgeEntry BridgeAnalysis::entry(uint32_t image, uint32_t text) const {
  BridgeEntry out;
  out.image = image;
  out.text = text;
  out.cosine = cosine(image, text);
  uint64_t key = image * latents + text;
  auto found = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const auto &entry, uint64_t k) { return entry.first < k; });
  if (found != entries.end() && found->first == key)
    out.coactivation = found->second;
  out.score = out.coactivation * out.cosine;
  out.chanceCoactivation = imageMean[image] * textMean[text];
  double spread = std::sqrt(imageVar[image] * textVar[text]);
  out.crossCorrelation =
      spread > 0
          ? (out.coactivation - imageMean[image] * textMean[text]) / spread
          : std::numeric_limits<double>::quiet_NaN();
  return out;
}

std::vector<BridgeEntry> BridgeAnalysis::top(unsigned count,
                                             BridgeRanking ranking) const {
  // Ranks C's support; outside it B is zero and ρ negative.
  std::vector<std::pair<double, uint64_t>> ranked;
  ranked.reserve(entries.size());
  for (size_t e = 0; e < entries.size(); ++e) {
    auto [key, c] = entries[e];
    uint32_t i = static_cast<uint32_t>(key / latents);
    uint32_t j = static_cast<uint32_t>(key % latents);
    if (i == j)
      continue;
    double value = c * supportCosine[e];
    if (ranking == BridgeRanking::CrossCorrelation) {
      double spread = std::sqrt(imageVar[i] * textVar[j]);
      if (!(spread > 0) || imageFires[i] < kMinCorrelationPairs ||
          textFires[j] < kMinCorrelationPairs)
        continue;
      value = (c - imageMean[i] * textMean[j]) / spread * supportCosine[e];
    }
    ranked.push_back({value, key});
  }
  size_t keep = std::min<size_t>(count, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                    [](const auto &a, const auto &b) {
                      return a.first > b.first ||
                             (a.first == b.first && a.second < b.second);
                    });
  std::vector<BridgeEntry> out;
  for (size_t r = 0; r < keep; ++r)
    out.push_back(entry(static_cast<uint32_t>(ranked[r].second / latents),
                        static_cast<uint32_t>(ranked[r].second % latents)));
  return out;
}

std::vector<uint64_t>
BridgeAnalysis::topPairs(const SparseCodes &codes,
                         const std::vector<AlignedPair> &pairs, uint32_t image,
                         uint32_t text, unsigned count) const {
  auto valueOf = [&](uint64_t row, uint32_t concept) {
    SparseCodes::Row code = codes.row(row);
    const uint32_t *end = code.index + code.size;
    const uint32_t *at = std::lower_bound(code.index, end, concept);
    return at != end && *at == concept ? double(code.value[at - code.index])
                                       : 0.0;
  };
  std::vector<std::pair<double, uint64_t>> contributions;
  for (uint64_t p = 0; p < pairs.size(); ++p) {
    double product =
        valueOf(pairs[p].image, image) * valueOf(pairs[p].text, text);
    if (product != 0)
      contributions.push_back({product, p});
  }
  size_t keep = std::min<size_t>(count, contributions.size());
  std::partial_sort(contributions.begin(), contributions.begin() + keep,
                    contributions.end(), [](const auto &a, const auto &b) {
                      return a.first > b.first ||
                             (a.first == b.first && a.second < b.second);
                    });
  std::vector<uint64_t> out;
  for (size_t r = 0; r < keep; ++r)
    out.push_back(contributions[r].second);
  return out;
}

BridgeNullModel BridgeAnalysis::nullModel(const SparseCodes &codes,
                                          const std::vector<AlignedPair> &pairs,
                                          unsigned shuffles,
                                          uint64_t seed) const {
  BridgeNullModel out;
  out.shuffles = shuffles;
  Xoshiro256 rng(seed);
  for (unsigned s = 0; s < shuffles; ++s) {
    std::vector<uint64_t> textOf(pairs.size());
    std::iota(textOf.begin(), textOf.end(), 0);
    shuffle(textOf, rng);
    double total = 0, best = 0;
    for (const auto &[key, c] : coactivation(codes, pairs, textOf)) {
      uint32_t i = static_cast<uint32_t>(key / latents);
      uint32_t j = static_cast<uint32_t>(key % latents);
      double score = c * cosine(i, j);
      total += score;
      if (i != j)
        best = std::max(best, score);
    }
    out.totalMean += total / shuffles;
    out.topScoreMean += best / shuffles;
    out.topScoreMax = std::max(out.topScoreMax, best);
  }
  return out;
}
