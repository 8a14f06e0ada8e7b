//===- Mixture.cpp - Training on an image:text mixture --------------------===//
//
// The ratio is applied to row counts, not to pairs: an image kept does not
// bring its caption along, since the point of a mixture is to change how
// much of each modality the dictionary sees.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/Mixture.h"
#include "prism/runtime/Random.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

using namespace prism;

/// The shortest decimal that reads back as `value`.
static std::string shortest(double value) {
  char buffer[64];
  std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string Mixture::str() const {
  if (!active())
    return "none";
  return shortest(image) + ":" + shortest(text);
}

/// A plain non-negative decimal: no sign, no spaces, no inf or nan.
static std::optional<double> parseRatioPart(const std::string &text) {
  if (text.empty() ||
      !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.'))
    return std::nullopt;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

std::optional<Mixture> prism::parseMixture(const std::string &text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  std::optional<double> image = parseRatioPart(text.substr(0, colon));
  std::optional<double> textPart = parseRatioPart(text.substr(colon + 1));
  if (!image || !textPart)
    return std::nullopt;
  Mixture mixture{*image, *textPart};
  if (!mixture.active())
    return std::nullopt;
  return mixture;
}

/// round(count * numerator / denominator), at most `limit`.
static uint64_t scaledCount(uint64_t count, double numerator,
                            double denominator, uint64_t limit) {
  double scaled = static_cast<double>(count) * numerator / denominator;
  return std::min<uint64_t>(static_cast<uint64_t>(std::llround(scaled)), limit);
}

StatusOr<MixtureRows> prism::selectMixture(const Dataset &data,
                                           const std::vector<uint64_t> &rows,
                                           const Mixture &mixture,
                                           uint64_t seed) {
  if (!mixture.active())
    return Status::error(data.path(), "the mixture 0:0 selects no rows");
  uint64_t unspecified = 0;
  for (uint64_t row = 0; row < data.rows(); ++row)
    unspecified += data.modality(row) == Modality::Unspecified;
  if (unspecified)
    return Status::error(
        data.path(),
        std::to_string(unspecified) + " of " + std::to_string(data.rows()) +
            " rows have unspecified modality; --mix " + mixture.str() +
            " needs every row to be image or text");

  std::vector<uint64_t> images, texts;
  for (uint64_t row : rows)
    (data.modality(row) == Modality::Image ? images : texts).push_back(row);
  uint64_t numImages = images.size(), numTexts = texts.size();
  uint64_t keepImages = numImages, keepTexts = numTexts;
  // Compared as products so that no count is divided by a zero ratio.
  if (mixture.image == 0)
    keepImages = 0;
  else if (mixture.text == 0)
    keepTexts = 0;
  else if (static_cast<double>(numImages) * mixture.text <=
           static_cast<double>(numTexts) * mixture.image)
    keepTexts = scaledCount(numImages, mixture.text, mixture.image, numTexts);
  else
    keepImages = scaledCount(numTexts, mixture.image, mixture.text, numImages);

  // At most one side is cut; only a cut side draws from the generator.
  std::vector<uint64_t> &cut = keepImages < numImages ? images : texts;
  uint64_t keep = keepImages < numImages ? keepImages : keepTexts;
  if (keep < cut.size()) {
    Xoshiro256 rng(derivedSeed(seed, kMixStream));
    shuffle(cut, rng);
    cut.resize(keep);
  }

  MixtureRows out;
  out.imageRows = images.size();
  out.textRows = texts.size();
  out.rows.resize(images.size() + texts.size());
  std::sort(images.begin(), images.end());
  std::sort(texts.begin(), texts.end());
  std::merge(images.begin(), images.end(), texts.begin(), texts.end(),
             out.rows.begin());
  return out;
}
