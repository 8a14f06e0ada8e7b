//===- DataLoader.cpp - Reproducible batches of embedding rows ------------===//

#include "prism/runtime/DataLoader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

using namespace prism;

//===----------------------------------------------------------------------===//
// Held-out split
//===----------------------------------------------------------------------===//

StatusOr<RowSplit> prism::splitRows(const Dataset &data, double heldOutFraction,
                                    uint64_t seed) {
  if (!(heldOutFraction >= 0.0 && heldOutFraction < 1.0))
    return Status::error(data.path(), "held-out fraction must be in [0, 1), "
                                      "got " +
                                          std::to_string(heldOutFraction));
  RowSplit split;
  if (heldOutFraction == 0.0) {
    for (uint64_t row = 0; row < data.rows(); ++row)
      split.train.push_back(row);
    return split;
  }

  // Groups: pair ids that have rows (in id order), then unpaired rows.
  std::vector<bool> pairHasRows(data.numPairs(), false);
  for (uint64_t row = 0; row < data.rows(); ++row)
    if (data.pairId(row) >= 0)
      pairHasRows[static_cast<uint64_t>(data.pairId(row))] = true;
  uint64_t groups = 0;
  std::vector<uint64_t> groupOfPair(data.numPairs(), 0);
  for (uint64_t pair = 0; pair < data.numPairs(); ++pair)
    if (pairHasRows[pair])
      groupOfPair[pair] = groups++;
  std::vector<uint64_t> groupOfRow(data.rows());
  for (uint64_t row = 0; row < data.rows(); ++row) {
    int64_t id = data.pairId(row);
    groupOfRow[row] =
        id >= 0 ? groupOfPair[static_cast<uint64_t>(id)] : groups++;
  }
  if (groups < 2)
    return Status::error(data.path(), "cannot hold out part of a dataset of " +
                                          std::to_string(groups) +
                                          " pair(s) and unpaired row(s)");

  uint64_t heldOutGroups = static_cast<uint64_t>(
      std::llround(heldOutFraction * static_cast<double>(groups)));
  heldOutGroups = std::clamp<uint64_t>(heldOutGroups, 1, groups - 1);
  std::vector<uint64_t> order(groups);
  for (uint64_t g = 0; g < groups; ++g)
    order[g] = g;
  Xoshiro256 rng(derivedSeed(seed, kSplitStream));
  shuffle(order, rng);
  std::vector<bool> heldOut(groups, false);
  for (uint64_t i = 0; i < heldOutGroups; ++i)
    heldOut[order[i]] = true;

  for (uint64_t row = 0; row < data.rows(); ++row)
    (heldOut[groupOfRow[row]] ? split.heldOut : split.train).push_back(row);
  return split;
}

//===----------------------------------------------------------------------===//
// Positions
//===----------------------------------------------------------------------===//

std::string LoaderPosition::str() const {
  return "seed=" + std::to_string(seed) + " epoch=" + std::to_string(epoch) +
         " index=" + std::to_string(index) + " items=" + std::to_string(items);
}

StatusOr<LoaderPosition> LoaderPosition::parse(const std::string &text) {
  LoaderPosition position;
  uint64_t *fields[] = {&position.seed, &position.epoch, &position.index,
                        &position.items};
  const char *names[] = {"seed", "epoch", "index", "items"};
  bool seen[4] = {};
  std::istringstream in(text);
  std::string token;
  auto bad = [&](const std::string &why) {
    return Status::error("", "bad loader position '" + text + "': " + why);
  };
  while (in >> token) {
    size_t equals = token.find('=');
    std::string key = token.substr(0, equals);
    auto name = std::find_if(std::begin(names), std::end(names),
                             [&](const char *n) { return key == n; });
    if (equals == std::string::npos || name == std::end(names))
      return bad("unexpected '" + token + "'");
    size_t field = static_cast<size_t>(name - std::begin(names));
    std::string digits = token.substr(equals + 1);
    if (digits.empty() || digits.size() > 20 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return bad(key + " is not a non-negative integer");
    errno = 0;
    unsigned long long value = std::strtoull(digits.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return bad(key + " is out of range");
    *fields[field] = value;
    seen[field] = true;
  }
  for (size_t i = 0; i < 4; ++i)
    if (!seen[i])
      return bad(std::string("no ") + names[i]);
  return position;
}

//===----------------------------------------------------------------------===//
// BatchSequence
//===----------------------------------------------------------------------===//

BatchSequence::BatchSequence(uint64_t items, uint64_t batchSize, uint64_t seed,
                             bool shuffle, bool dropLast)
    : numItems(items), batchSize(batchSize), seed(seed), shuffled(shuffle),
      dropLast(dropLast) {
  startEpoch(0);
}

void BatchSequence::startEpoch(uint64_t newEpoch) {
  epoch = newEpoch;
  index = 0;
  order.resize(numItems);
  for (uint64_t i = 0; i < numItems; ++i)
    order[i] = i;
  if (shuffled) {
    Xoshiro256 rng(derivedSeed(seed, epoch));
    shuffle(order, rng);
  }
}

uint64_t BatchSequence::batchesPerEpoch() const {
  if (batchSize == 0)
    return 0;
  return dropLast ? numItems / batchSize
                  : (numItems + batchSize - 1) / batchSize;
}

std::vector<uint64_t> BatchSequence::next() {
  uint64_t left = numItems - index;
  if (left == 0 || (dropLast && left < batchSize))
    startEpoch(epoch + 1);
  uint64_t count = std::min(batchSize, numItems - index);
  std::vector<uint64_t> batch(order.begin() + static_cast<ptrdiff_t>(index),
                              order.begin() +
                                  static_cast<ptrdiff_t>(index + count));
  index += count;
  return batch;
}

LoaderPosition BatchSequence::position() const {
  LoaderPosition position;
  position.seed = seed;
  position.epoch = epoch;
  position.index = index;
  position.items = numItems;
  return position;
}

Status BatchSequence::seek(const LoaderPosition &position,
                           const std::string &what) {
  if (position.seed != seed)
    return Status::error(what, "loader position was saved with seed " +
                                   std::to_string(position.seed) +
                                   ", this loader uses seed " +
                                   std::to_string(seed));
  if (position.items != numItems)
    return Status::error(what, "loader position was saved over " +
                                   std::to_string(position.items) +
                                   " items per epoch, this loader has " +
                                   std::to_string(numItems));
  if (position.index > numItems)
    return Status::error(what, "loader position index " +
                                   std::to_string(position.index) +
                                   " is past the end of an epoch of " +
                                   std::to_string(numItems) + " items");
  if (position.epoch != epoch)
    startEpoch(position.epoch);
  index = position.index;
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Loaders
//===----------------------------------------------------------------------===//

/// Whether `options` applies a mixture to the side it reads.
static bool mixes(const DataLoaderOptions &options) {
  return options.split == DataSplit::Train && options.mixture.active();
}

/// The rows of the requested side of the split, after the mixture.
static StatusOr<std::vector<uint64_t>>
selectRows(const Dataset &data, const DataLoaderOptions &options) {
  if (options.batchSize == 0)
    return Status::error(data.path(), "batch size must be at least 1");
  if (options.split == DataSplit::HeldOut && options.heldOutFraction == 0.0)
    return Status::error(data.path(), "the held-out split needs a held-out "
                                      "fraction above 0");
  StatusOr<RowSplit> split =
      splitRows(data, options.heldOutFraction, options.seed);
  if (!split.isOk())
    return split.getStatus();
  if (options.split == DataSplit::HeldOut)
    return std::move(split->heldOut);
  if (!options.mixture.active())
    return std::move(split->train);
  StatusOr<MixtureRows> mixed =
      selectMixture(data, split->train, options.mixture, options.seed);
  if (!mixed.isOk())
    return mixed.getStatus();
  return std::move(mixed->rows);
}

/// `what` names the items ("rows"); a mixture is named after it.
static Status checkEnough(const Dataset &data, const DataLoaderOptions &options,
                          uint64_t items, std::string what) {
  const char *side =
      options.split == DataSplit::Train ? "training" : "held-out";
  if (mixes(options))
    what += " in mixture " + options.mixture.str();
  if (items == 0)
    return Status::error(data.path(),
                         std::string("the ") + side + " split has no " + what);
  if (options.dropLast && items < options.batchSize)
    return Status::error(data.path(),
                         std::string("the ") + side + " split has " +
                             std::to_string(items) + " " + what +
                             ", fewer than one batch of " +
                             std::to_string(options.batchSize) +
                             " (keep the last partial batch, or use a "
                             "smaller batch)");
  return Status::ok();
}

DataLoader::DataLoader(const Dataset &data, const DataLoaderOptions &options,
                       std::vector<uint64_t> rows)
    : data(&data), options(options), splitRowsList(std::move(rows)),
      sequence(splitRowsList.size(), options.batchSize, options.seed,
               options.shuffle, options.dropLast) {}

StatusOr<DataLoader> DataLoader::create(const Dataset &data,
                                        const DataLoaderOptions &options) {
  StatusOr<std::vector<uint64_t>> rows = selectRows(data, options);
  if (!rows.isOk())
    return rows.getStatus();
  Status status = checkEnough(data, options, rows->size(), "rows");
  if (!status.isOk())
    return status;
  return DataLoader(data, options, rows.take());
}

uint64_t DataLoader::next(const RowBatchBuffers &out) {
  std::vector<uint64_t> batch = sequence.next();
  size_t rowBytes = sizeof(float) * data->dim();
  for (size_t i = 0; i < batch.size(); ++i) {
    uint64_t row = splitRowsList[batch[i]];
    if (out.values)
      std::memcpy(out.values + i * data->dim(), data->row(row), rowBytes);
    if (out.modality)
      out.modality[i] = data->modality(row);
    if (out.pairId)
      out.pairId[i] = data->pairId(row);
    if (out.row)
      out.row[i] = row;
  }
  return batch.size();
}

PairLoader::PairLoader(const Dataset &data, const DataLoaderOptions &options,
                       std::vector<Pair> pairs)
    : data(&data), options(options), pairs(std::move(pairs)),
      sequence(this->pairs.size(), options.batchSize, options.seed,
               options.shuffle, options.dropLast) {}

StatusOr<PairLoader> PairLoader::create(const Dataset &data,
                                        const DataLoaderOptions &options) {
  StatusOr<std::vector<uint64_t>> rows = selectRows(data, options);
  if (!rows.isOk())
    return rows.getStatus();
  std::vector<Pair> byId(data.numPairs(), Pair{-1, UINT64_MAX, UINT64_MAX});
  for (uint64_t row : *rows) {
    int64_t id = data.pairId(row);
    if (id < 0)
      continue;
    Pair &pair = byId[static_cast<uint64_t>(id)];
    pair.id = id;
    Modality modality = data.modality(row);
    if (modality == Modality::Image && pair.image == UINT64_MAX)
      pair.image = row;
    else if (modality == Modality::Text && pair.text == UINT64_MAX)
      pair.text = row;
  }
  std::vector<Pair> pairs;
  for (const Pair &pair : byId)
    if (pair.image != UINT64_MAX && pair.text != UINT64_MAX)
      pairs.push_back(pair);
  Status status = checkEnough(data, options, pairs.size(), "aligned pairs");
  if (!status.isOk())
    return status;
  return PairLoader(data, options, std::move(pairs));
}

uint64_t PairLoader::next(const PairBatchBuffers &out) {
  std::vector<uint64_t> batch = sequence.next();
  uint32_t dim = data->dim();
  size_t rowBytes = sizeof(float) * dim;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Pair &pair = pairs[batch[i]];
    if (out.image)
      std::memcpy(out.image + i * dim, data->row(pair.image), rowBytes);
    if (out.text)
      std::memcpy(out.text + i * dim, data->row(pair.text), rowBytes);
    if (out.pairId)
      out.pairId[i] = pair.id;
    if (out.imageRow)
      out.imageRow[i] = pair.image;
    if (out.textRow)
      out.textRow[i] = pair.text;
  }
  return batch.size();
}
