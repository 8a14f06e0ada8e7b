//===- DataLoader.h - Reproducible batches of embedding rows ----*- C++ -*-===//
//
// Training reads a dataset in batches: optionally without a held-out part,
// shuffled anew each epoch, resumable at any batch. All randomness comes from
// the fixed generators of Random.h, so a seed gives the same batches on every
// platform and standard library.
//
// The held-out split permutes the groups (each pair id with rows; each row
// without a pair) with stream kSplitStream and holds out the first
// round(fraction * groups) of them (at least one, and at least one left), so
// an image and its caption always land on the same side. A mixture
// (Mixture.h) then selects from the training side only; the held-out side
// stays whole, so runs on different mixtures are evaluated on the same rows.
// Epoch e visits the rows in the order shuffle(identity) with stream e.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_DATALOADER_H
#define PRISM_RUNTIME_DATALOADER_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/Mixture.h"
#include "prism/runtime/Random.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prism {

/// The stream the held-out split draws from.
constexpr uint64_t kSplitStream = ~uint64_t(0);

/// The rows on each side of a held-out split, each list ascending.
struct RowSplit {
  std::vector<uint64_t> train;
  std::vector<uint64_t> heldOut;
};

/// Splits `data` by pair. `heldOutFraction` in [0, 1); 0 holds nothing out.
StatusOr<RowSplit> splitRows(const Dataset &data, double heldOutFraction,
                             uint64_t seed);

enum class DataSplit : uint8_t { Train, HeldOut };

struct DataLoaderOptions {
  uint64_t batchSize = 256;
  uint64_t seed = 0;
  double heldOutFraction = 0.0;
  /// Which side of the split the loader reads.
  DataSplit split = DataSplit::Train;
  /// The image:text ratio of the training rows; inactive (0:0): all of them.
  Mixture mixture;
  /// Off: every epoch visits the split in ascending order.
  bool shuffle = true;
  /// On: an epoch's last partial batch is skipped; off: it is returned short.
  bool dropLast = true;
};

/// Where a loader is: enough to continue with exactly the same batches.
struct LoaderPosition {
  uint64_t seed = 0;
  uint64_t epoch = 0;
  /// Items (rows or pairs) of this epoch already handed out.
  uint64_t index = 0;
  /// Items per epoch, so a resume on other data or another split fails.
  uint64_t items = 0;

  /// "seed=S epoch=E index=I items=N", for checkpoint metadata.
  std::string str() const;
  static StatusOr<LoaderPosition> parse(const std::string &text);
  bool operator==(const LoaderPosition &other) const {
    return seed == other.seed && epoch == other.epoch && index == other.index &&
           items == other.items;
  }
};

/// Visits `items` items batch by batch, epoch after epoch, in the order the
/// file comment defines. Batches never span two epochs.
class BatchSequence {
public:
  BatchSequence(uint64_t items, uint64_t batchSize, uint64_t seed, bool shuffle,
                bool dropLast);

  /// The item indices of the next batch (batchSize of them, or fewer at the
  /// end of an epoch when dropLast is off).
  std::vector<uint64_t> next();
  uint64_t items() const { return numItems; }
  uint64_t batchesPerEpoch() const;
  LoaderPosition position() const;
  /// `what` names the data in errors (e.g. the dataset path).
  Status seek(const LoaderPosition &position, const std::string &what);

private:
  void startEpoch(uint64_t newEpoch);

  uint64_t numItems, batchSize, seed;
  bool shuffled, dropLast;
  uint64_t epoch = 0, index = 0;
  std::vector<uint64_t> order;
};

/// Where next() writes a batch of rows; null pointers are skipped.
struct RowBatchBuffers {
  float *values = nullptr;      // [batchSize, dim], row-major
  Modality *modality = nullptr; // [batchSize]
  int64_t *pairId = nullptr;    // [batchSize]
  uint64_t *row = nullptr;      // [batchSize], the dataset row
};

/// Batches of rows of one side of the split.
class DataLoader {
public:
  /// `data` must outlive the loader.
  static StatusOr<DataLoader> create(const Dataset &data,
                                     const DataLoaderOptions &options);

  uint32_t dim() const { return data->dim(); }
  uint64_t batchSize() const { return options.batchSize; }
  /// The rows this loader visits, ascending.
  const std::vector<uint64_t> &rows() const { return splitRowsList; }
  uint64_t batchesPerEpoch() const { return sequence.batchesPerEpoch(); }

  /// Fills the next batch and returns how many rows it holds.
  uint64_t next(const RowBatchBuffers &out);
  LoaderPosition position() const { return sequence.position(); }
  Status seek(const LoaderPosition &position) {
    return sequence.seek(position, data->path());
  }

private:
  DataLoader(const Dataset &data, const DataLoaderOptions &options,
             std::vector<uint64_t> rows);

  const Dataset *data;
  DataLoaderOptions options;
  std::vector<uint64_t> splitRowsList;
  BatchSequence sequence;
};

/// Where next() writes a batch of aligned pairs; null pointers are skipped.
struct PairBatchBuffers {
  float *image = nullptr;       // [batchSize, dim]
  float *text = nullptr;        // [batchSize, dim]
  int64_t *pairId = nullptr;    // [batchSize]
  uint64_t *imageRow = nullptr; // [batchSize]
  uint64_t *textRow = nullptr;  // [batchSize]
};

/// Batches of aligned (image row, text row) pairs of one side of the split,
/// for metrics over pairs. A pair is its first image row and its first text
/// row; pairs missing either are left out.
class PairLoader {
public:
  /// `data` must outlive the loader.
  static StatusOr<PairLoader> create(const Dataset &data,
                                     const DataLoaderOptions &options);

  uint32_t dim() const { return data->dim(); }
  uint64_t batchSize() const { return options.batchSize; }
  uint64_t pairsPerEpoch() const { return pairs.size(); }
  uint64_t batchesPerEpoch() const { return sequence.batchesPerEpoch(); }

  /// Fills the next batch and returns how many pairs it holds.
  uint64_t next(const PairBatchBuffers &out);
  LoaderPosition position() const { return sequence.position(); }
  Status seek(const LoaderPosition &position) {
    return sequence.seek(position, data->path());
  }

private:
  struct Pair {
    int64_t id;
    uint64_t image, text;
  };
  PairLoader(const Dataset &data, const DataLoaderOptions &options,
             std::vector<Pair> pairs);

  const Dataset *data;
  DataLoaderOptions options;
  std::vector<Pair> pairs;
  BatchSequence sequence;
};

} // namespace prism

#endif // PRISM_RUNTIME_DATALOADER_H
