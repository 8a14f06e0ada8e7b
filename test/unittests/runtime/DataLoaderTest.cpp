//===- DataLoaderTest.cpp - Reproducible batches of embedding rows --------===//

#include "TestFiles.h"

#include "prism/runtime/DataLoader.h"
#include "prism/runtime/Mixture.h"

#include <gtest/gtest.h>

#include <set>

using namespace prism;
using namespace prism::test;

namespace {

/// `pairs` image rows, then their `pairs` captions, then `unpaired` rows
/// without a partner. Row r holds r + 0.5, r + 0.25, r + 0.125 (exact), so a
/// batch row tells which dataset row it came from.
DatasetContents pairedContents(uint64_t pairs, uint64_t unpaired) {
  DatasetContents contents;
  contents.dim = 3;
  contents.rows = 2 * pairs + unpaired;
  contents.numPairs = pairs;
  for (uint64_t r = 0; r < contents.rows; ++r) {
    for (float offset : {0.5f, 0.25f, 0.125f})
      contents.values.push_back(static_cast<float>(r) + offset);
    if (r < pairs) {
      contents.modality.push_back(Modality::Image);
      contents.pairId.push_back(static_cast<int64_t>(r));
    } else if (r < 2 * pairs) {
      contents.modality.push_back(Modality::Text);
      contents.pairId.push_back(static_cast<int64_t>(r - pairs));
    } else {
      contents.modality.push_back(Modality::Unspecified);
      contents.pairId.push_back(-1);
    }
  }
  return contents;
}

class DataLoaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(
        writeDataset(dir.path("d.pemb"), pairedContents(20, 10)).isOk());
    StatusOr<Dataset> opened = Dataset::open(dir.path("d.pemb"));
    ASSERT_TRUE(opened.isOk()) << opened.getStatus().str();
    data = std::make_unique<Dataset>(opened.take());
  }

  DataLoader loader(DataLoaderOptions options) {
    StatusOr<DataLoader> created = DataLoader::create(*data, options);
    EXPECT_TRUE(created.isOk()) << created.getStatus().str();
    return created.take();
  }

  /// The dataset rows of the next `batches` batches, checking that every
  /// output agrees with the dataset.
  std::vector<std::vector<uint64_t>> take(DataLoader &source, size_t batches) {
    std::vector<std::vector<uint64_t>> out;
    uint64_t b = source.batchSize();
    std::vector<float> values(b * 3);
    std::vector<Modality> modality(b);
    std::vector<int64_t> pairId(b);
    std::vector<uint64_t> rows(b);
    for (size_t i = 0; i < batches; ++i) {
      uint64_t n = source.next(
          {values.data(), modality.data(), pairId.data(), rows.data()});
      for (uint64_t j = 0; j < n; ++j) {
        EXPECT_EQ(values[j * 3], static_cast<float>(rows[j]) + 0.5f);
        EXPECT_EQ(values[j * 3 + 2], static_cast<float>(rows[j]) + 0.125f);
        EXPECT_EQ(modality[j], data->modality(rows[j]));
        EXPECT_EQ(pairId[j], data->pairId(rows[j]));
      }
      out.emplace_back(rows.begin(), rows.begin() + static_cast<long>(n));
    }
    return out;
  }

  TempDir dir;
  std::unique_ptr<Dataset> data;
};

TEST(RandomTest, MatchesTheReferenceGenerators) {
  // splitmix64 from state 0, and xoshiro256** from state {1, 2, 3, 4}: the
  // first outputs of the authors' reference code.
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xE220A8397B1DCDAFull);
  Xoshiro256 rng(0);
  rng.setState({1, 2, 3, 4});
  EXPECT_EQ(rng.next(), 11520u);
  EXPECT_EQ(rng.next(), 0u);
  EXPECT_EQ(rng.next(), 1509978240u);
  EXPECT_EQ(rng.next(), 1215971899390074240ull);
}

TEST(RandomTest, ShuffleIsPinned) {
  // Pinned so a change of generator, seeding or shuffle is noticed: the
  // order must be the same on every platform and in every release. A Python
  // transcription of the algorithm in DataLoader.h gives the same order.
  std::vector<uint64_t> items = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  Xoshiro256 rng(derivedSeed(42, 0));
  shuffle(items, rng);
  EXPECT_EQ(items, (std::vector<uint64_t>{8, 9, 6, 3, 5, 0, 1, 4, 2, 7}));
}

TEST(RandomTest, BelowStaysInRange) {
  Xoshiro256 rng(7);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 3000; ++i)
    ++counts[rng.below(3)];
  for (int count : counts)
    EXPECT_GT(count, 900);
  EXPECT_EQ(rng.below(1), 0u);
}

TEST_F(DataLoaderTest, VisitsEveryRowOncePerEpoch) {
  DataLoaderOptions options;
  options.batchSize = 7;
  options.dropLast = false;
  DataLoader source = loader(options);
  EXPECT_EQ(source.batchesPerEpoch(), 8u); // 50 rows
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<uint64_t> seen;
    for (const auto &batch : take(source, 8))
      seen.insert(seen.end(), batch.begin(), batch.end());
    ASSERT_EQ(seen.size(), 50u);
    std::sort(seen.begin(), seen.end());
    for (uint64_t r = 0; r < 50; ++r)
      EXPECT_EQ(seen[r], r);
    EXPECT_EQ(source.position().epoch, static_cast<uint64_t>(epoch));
  }
}

TEST_F(DataLoaderTest, DropLastSkipsTheShortBatch) {
  DataLoaderOptions options;
  options.batchSize = 8;
  DataLoader source = loader(options);
  EXPECT_EQ(source.batchesPerEpoch(), 6u);
  std::set<uint64_t> epoch0;
  for (const auto &batch : take(source, 6)) {
    EXPECT_EQ(batch.size(), 8u);
    epoch0.insert(batch.begin(), batch.end());
  }
  EXPECT_EQ(epoch0.size(), 48u);
  take(source, 1);
  EXPECT_EQ(source.position().epoch, 1u) << "batches never span epochs";
  EXPECT_EQ(source.position().index, 8u);
}

TEST_F(DataLoaderTest, OrderIsReproducibleAndVaries) {
  DataLoaderOptions options;
  options.batchSize = 10;
  DataLoader a = loader(options), b = loader(options);
  auto first = take(a, 10);
  EXPECT_EQ(first, take(b, 10)) << "same seed, same batches";
  std::vector<std::vector<uint64_t>> epoch0(first.begin(), first.begin() + 5);
  std::vector<std::vector<uint64_t>> epoch1(first.begin() + 5, first.end());
  EXPECT_NE(epoch0, epoch1) << "each epoch has its own order";

  options.seed = 1;
  DataLoader c = loader(options);
  EXPECT_NE(take(c, 5), epoch0) << "another seed, another order";

  options.shuffle = false;
  DataLoader ordered = loader(options);
  EXPECT_EQ(take(ordered, 1)[0],
            (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST_F(DataLoaderTest, HeldOutSplitIsDisjointAndKeepsPairsTogether) {
  // 20 pairs + 10 unpaired rows = 30 groups; 20% = 6 groups.
  StatusOr<RowSplit> split = splitRows(*data, 0.2, 5);
  ASSERT_TRUE(split.isOk()) << split.getStatus().str();
  std::set<uint64_t> train(split->train.begin(), split->train.end());
  std::set<uint64_t> heldOut(split->heldOut.begin(), split->heldOut.end());
  EXPECT_EQ(train.size() + heldOut.size(), 50u);
  for (uint64_t row : heldOut)
    EXPECT_EQ(train.count(row), 0u);
  std::set<int64_t> heldPairs;
  uint64_t heldUnpaired = 0;
  for (uint64_t row : heldOut) {
    if (data->pairId(row) < 0)
      ++heldUnpaired;
    else
      heldPairs.insert(data->pairId(row));
  }
  EXPECT_EQ(heldPairs.size() + heldUnpaired, 6u);
  for (int64_t pair : heldPairs) {
    EXPECT_EQ(heldOut.count(static_cast<uint64_t>(pair)), 1u) << pair;
    EXPECT_EQ(heldOut.count(static_cast<uint64_t>(pair) + 20), 1u) << pair;
  }

  StatusOr<RowSplit> again = splitRows(*data, 0.2, 5);
  EXPECT_EQ(again->heldOut, split->heldOut);
  StatusOr<RowSplit> other = splitRows(*data, 0.2, 6);
  EXPECT_NE(other->heldOut, split->heldOut);

  DataLoaderOptions options;
  options.batchSize = 4;
  options.seed = 5;
  options.heldOutFraction = 0.2;
  options.split = DataSplit::HeldOut;
  DataLoader held = loader(options);
  EXPECT_EQ(held.rows(), split->heldOut);
  options.split = DataSplit::Train;
  DataLoader training = loader(options);
  EXPECT_EQ(training.rows(), split->train);
  for (const auto &batch : take(training, 20))
    for (uint64_t row : batch)
      EXPECT_EQ(heldOut.count(row), 0u);
}

TEST_F(DataLoaderTest, ResumeContinuesTheSameSequence) {
  DataLoaderOptions options;
  options.batchSize = 6;
  options.seed = 99;
  options.heldOutFraction = 0.1;
  options.dropLast = false;
  DataLoader uninterrupted = loader(options);
  auto all = take(uninterrupted, 40);

  for (size_t stop : {0u, 1u, 7u, 8u, 13u}) {
    DataLoader first = loader(options);
    take(first, stop);
    std::string saved = first.position().str();
    StatusOr<LoaderPosition> position = LoaderPosition::parse(saved);
    ASSERT_TRUE(position.isOk()) << position.getStatus().str();
    EXPECT_EQ(*position, first.position());
    DataLoader resumed = loader(options);
    ASSERT_TRUE(resumed.seek(*position).isOk());
    auto rest = take(resumed, 40 - stop);
    EXPECT_EQ(rest, std::vector<std::vector<uint64_t>>(
                        all.begin() + static_cast<long>(stop), all.end()))
        << "stopped after " << stop << " batches at " << saved;
  }
}

TEST_F(DataLoaderTest, PositionErrors) {
  DataLoaderOptions options;
  options.batchSize = 5;
  options.seed = 3;
  DataLoader source = loader(options);
  LoaderPosition position = source.position();
  EXPECT_EQ(position.str(), "seed=3 epoch=0 index=0 items=50");

  position.seed = 4;
  EXPECT_EQ(source.seek(position).str(),
            dir.path("d.pemb") + ": error: loader position was saved with "
                                 "seed 4, this loader uses seed 3");
  position.seed = 3;
  position.items = 51;
  EXPECT_EQ(source.seek(position).str(),
            dir.path("d.pemb") + ": error: loader position was saved over 51 "
                                 "items per epoch, this loader has 50");
  position.items = 50;
  position.index = 51;
  EXPECT_EQ(source.seek(position).str(),
            dir.path("d.pemb") + ": error: loader position index 51 is past "
                                 "the end of an epoch of 50 items");

  EXPECT_EQ(
      LoaderPosition::parse("seed=1 epoch=2 index=x items=4").getStatus().str(),
      "error: bad loader position 'seed=1 epoch=2 index=x items=4': "
      "index is not a non-negative integer");
  EXPECT_EQ(LoaderPosition::parse("seed=1 epoch=2 items=4").getStatus().str(),
            "error: bad loader position 'seed=1 epoch=2 items=4': no index");
  EXPECT_EQ(LoaderPosition::parse("seed=1 step=2").getStatus().str(),
            "error: bad loader position 'seed=1 step=2': unexpected 'step=2'");
}

TEST_F(DataLoaderTest, CreateErrors) {
  DataLoaderOptions options;
  options.batchSize = 64;
  StatusOr<DataLoader> tooFew = DataLoader::create(*data, options);
  ASSERT_FALSE(tooFew.isOk());
  EXPECT_EQ(tooFew.getStatus().str(),
            dir.path("d.pemb") +
                ": error: the training split has 50 rows, fewer than one batch "
                "of 64 (keep the last partial batch, or use a smaller batch)");

  options.batchSize = 4;
  options.heldOutFraction = 1.0;
  EXPECT_EQ(DataLoader::create(*data, options).getStatus().str(),
            dir.path("d.pemb") +
                ": error: held-out fraction must be in [0, 1), got 1.000000");

  options.heldOutFraction = 0;
  options.split = DataSplit::HeldOut;
  EXPECT_EQ(DataLoader::create(*data, options).getStatus().str(),
            dir.path("d.pemb") + ": error: the held-out split needs a held-out "
                                 "fraction above 0");
}

TEST_F(DataLoaderTest, PairsAreAligned) {
  DataLoaderOptions options;
  options.batchSize = 4;
  options.seed = 11;
  options.heldOutFraction = 0.25;
  options.split = DataSplit::HeldOut;
  options.dropLast = false;
  StatusOr<PairLoader> created = PairLoader::create(*data, options);
  ASSERT_TRUE(created.isOk()) << created.getStatus().str();
  PairLoader pairs = created.take();
  StatusOr<RowSplit> split = splitRows(*data, 0.25, 11);
  std::set<uint64_t> heldOut(split->heldOut.begin(), split->heldOut.end());

  std::vector<float> image(4 * 3), text(4 * 3);
  std::vector<int64_t> ids(4);
  std::vector<uint64_t> imageRows(4), textRows(4);
  std::set<int64_t> seen;
  for (uint64_t b = 0; b < pairs.batchesPerEpoch(); ++b) {
    uint64_t n = pairs.next({image.data(), text.data(), ids.data(),
                             imageRows.data(), textRows.data()});
    for (uint64_t j = 0; j < n; ++j) {
      EXPECT_EQ(imageRows[j], static_cast<uint64_t>(ids[j]));
      EXPECT_EQ(textRows[j], static_cast<uint64_t>(ids[j]) + 20);
      EXPECT_EQ(image[j * 3], static_cast<float>(imageRows[j]) + 0.5f);
      EXPECT_EQ(text[j * 3], static_cast<float>(textRows[j]) + 0.5f);
      EXPECT_EQ(heldOut.count(imageRows[j]), 1u);
      EXPECT_TRUE(seen.insert(ids[j]).second) << "pair twice in an epoch";
    }
  }
  // Every held-out pair, and nothing else, once per epoch.
  uint64_t heldPairs = 0;
  for (uint64_t row : heldOut)
    heldPairs += row < 20;
  EXPECT_GT(heldPairs, 0u);
  EXPECT_EQ(pairs.pairsPerEpoch(), heldPairs);
  EXPECT_EQ(seen.size(), heldPairs);
}

//===----------------------------------------------------------------------===//
// Mixtures
//===----------------------------------------------------------------------===//

/// `images` image rows, then `texts` text rows; image i and text i share pair
/// id i, the rest are unpaired. Values as in pairedContents.
DatasetContents mixedContents(uint64_t images, uint64_t texts) {
  DatasetContents contents;
  contents.dim = 3;
  contents.rows = images + texts;
  contents.numPairs = std::min(images, texts);
  for (uint64_t r = 0; r < contents.rows; ++r) {
    for (float offset : {0.5f, 0.25f, 0.125f})
      contents.values.push_back(static_cast<float>(r) + offset);
    bool image = r < images;
    uint64_t index = image ? r : r - images;
    contents.modality.push_back(image ? Modality::Image : Modality::Text);
    contents.pairId.push_back(
        index < contents.numPairs ? static_cast<int64_t>(index) : -1);
  }
  return contents;
}

class MixtureTest : public DataLoaderTest {
protected:
  void SetUp() override {
    // 30 image rows (0-29) and 20 text rows (30-49).
    ASSERT_TRUE(writeDataset(dir.path("m.pemb"), mixedContents(30, 20)).isOk());
    StatusOr<Dataset> opened = Dataset::open(dir.path("m.pemb"));
    ASSERT_TRUE(opened.isOk()) << opened.getStatus().str();
    data = std::make_unique<Dataset>(opened.take());
  }

  DataLoaderOptions mixed(double image, double text, uint64_t seed = 0) {
    DataLoaderOptions options;
    options.batchSize = 4;
    options.seed = seed;
    options.mixture = Mixture{image, text};
    return options;
  }

  /// How many image and text rows `rows` holds.
  std::pair<uint64_t, uint64_t> counts(const std::vector<uint64_t> &rows) {
    uint64_t images = 0, texts = 0;
    for (uint64_t row : rows) {
      images += data->modality(row) == Modality::Image;
      texts += data->modality(row) == Modality::Text;
    }
    return {images, texts};
  }
};

TEST(MixtureParseTest, ReadsAndWritesRatios) {
  struct Good {
    const char *text;
    double image, textRatio;
    const char *str;
  };
  for (const Good &good : std::vector<Good>{{"1:1", 1, 1, "1:1"},
                                            {"3:1", 3, 1, "3:1"},
                                            {"1:0", 1, 0, "1:0"},
                                            {"0:2", 0, 2, "0:2"},
                                            {"0.5:1.25", 0.5, 1.25, "0.5:1.25"},
                                            {"0.1:3", 0.1, 3, "0.1:3"},
                                            {"2.0:02", 2, 2, "2:2"}}) {
    std::optional<Mixture> mix = parseMixture(good.text);
    ASSERT_TRUE(mix.has_value()) << good.text;
    EXPECT_EQ(mix->image, good.image) << good.text;
    EXPECT_EQ(mix->text, good.textRatio) << good.text;
    EXPECT_EQ(mix->str(), good.str) << good.text;
    // str() reads back exactly.
    EXPECT_TRUE(parseMixture(mix->str()) == mix) << good.text;
  }
  for (const char *bad :
       {"", "1", "1:", ":1", "0:0", "0.0:0", "-1:1", "1:-1", "+1:1", "a:1",
        "1:b", "1:1:1", "inf:1", "1:nan", " 1:1", "1:1 ", "1e999:1", "1,1"})
    EXPECT_FALSE(parseMixture(bad).has_value()) << "'" << bad << "'";
  EXPECT_EQ(Mixture().str(), "none");
  EXPECT_FALSE(Mixture().active());
}

TEST_F(MixtureTest, KeepsTheRatioWithAsManyRowsAsPossible) {
  // By hand, from 30 images and 20 texts: the limiting modality is kept
  // whole, the other is cut to the ratio (rounded half away from zero).
  struct Case {
    double image, text;
    uint64_t images, texts;
  };
  for (const Case &c : std::vector<Case>{{1, 1, 20, 20},
                                         {1, 0, 30, 0},
                                         {0, 1, 0, 20},
                                         {3, 1, 30, 10},
                                         {1, 2, 10, 20},
                                         {2, 3, 13, 20}, // 20 * 2/3 = 13.3
                                         {7, 4, 30, 17}, // 30 * 4/7 = 17.1
                                         {4, 1, 30, 8},  // 30 / 4 = 7.5
                                         {3, 2, 30, 20}, // exactly the data
                                         {0.5, 0.5, 20, 20}}) {
    DataLoader source = loader(mixed(c.image, c.text));
    EXPECT_EQ(counts(source.rows()), std::make_pair(c.images, c.texts))
        << c.image << ":" << c.text;
    EXPECT_TRUE(std::is_sorted(source.rows().begin(), source.rows().end()));
    EXPECT_EQ(
        std::set<uint64_t>(source.rows().begin(), source.rows().end()).size(),
        c.images + c.texts)
        << "no row twice";
    // The limiting side is kept whole.
    auto [images, texts] = counts(source.rows());
    EXPECT_TRUE(images == 30 || texts == 20 || images + texts == 0);

    StatusOr<MixtureRows> direct = selectMixture(
        *data, splitRows(*data, 0, 0)->train, Mixture{c.image, c.text}, 0);
    ASSERT_TRUE(direct.isOk()) << direct.getStatus().str();
    EXPECT_EQ(direct->rows, source.rows());
    EXPECT_EQ(direct->imageRows, c.images);
    EXPECT_EQ(direct->textRows, c.texts);
  }
}

TEST_F(MixtureTest, SubsetIsTheSeededShuffleOfTheCutModality) {
  // Mixture.h: the first k of the cut modality's rows after shuffle() with
  // stream kMixStream of the seed.
  for (uint64_t seed : {0u, 1u, 17u}) {
    std::vector<uint64_t> images;
    for (uint64_t r = 0; r < 30; ++r)
      images.push_back(r);
    Xoshiro256 rng(derivedSeed(seed, kMixStream));
    shuffle(images, rng);
    images.resize(20);
    std::sort(images.begin(), images.end());
    std::vector<uint64_t> expected = images;
    for (uint64_t r = 30; r < 50; ++r)
      expected.push_back(r);
    EXPECT_EQ(loader(mixed(1, 1, seed)).rows(), expected) << seed;
  }
}

TEST_F(MixtureTest, SameSeedSameRowsOtherSeedOtherRows) {
  std::vector<uint64_t> a = loader(mixed(1, 1, 5)).rows();
  EXPECT_EQ(loader(mixed(1, 1, 5)).rows(), a);
  std::vector<uint64_t> b = loader(mixed(1, 1, 6)).rows();
  EXPECT_NE(b, a);
  EXPECT_EQ(counts(b), counts(a));

  // The batches of a mixture are reproducible too.
  DataLoader x = loader(mixed(3, 1, 5)), y = loader(mixed(3, 1, 5));
  EXPECT_EQ(take(x, 25), take(y, 25));
}

TEST_F(MixtureTest, OnlyTheTrainingSideIsMixed) {
  // 20 pairs + 10 unpaired images = 30 groups; 20% holds out 6 of them.
  StatusOr<RowSplit> split = splitRows(*data, 0.2, 9);
  ASSERT_TRUE(split.isOk()) << split.getStatus().str();
  std::set<uint64_t> train(split->train.begin(), split->train.end());
  auto [trainImages, trainTexts] = counts(split->train);

  DataLoaderOptions options = mixed(1, 1, 9);
  options.heldOutFraction = 0.2;
  DataLoader source = loader(options);
  for (uint64_t row : source.rows())
    EXPECT_EQ(train.count(row), 1u) << "held-out row " << row << " selected";
  uint64_t kept = std::min(trainImages, trainTexts);
  EXPECT_EQ(counts(source.rows()), std::make_pair(kept, kept));
  for (const auto &batch : take(source, 30))
    for (uint64_t row : batch)
      EXPECT_EQ(train.count(row), 1u) << row;

  options.split = DataSplit::HeldOut;
  EXPECT_EQ(loader(options).rows(), split->heldOut)
      << "the held-out side stays whole";
}

TEST_F(MixtureTest, NoMixtureKeepsTheOldRows) {
  DataLoaderOptions options;
  options.batchSize = 4;
  options.seed = 9;
  std::vector<uint64_t> all(50);
  for (uint64_t r = 0; r < 50; ++r)
    all[r] = r;
  EXPECT_EQ(loader(options).rows(), all);
  options.heldOutFraction = 0.2;
  EXPECT_EQ(loader(options).rows(), splitRows(*data, 0.2, 9)->train);
  // A ratio the data already has keeps every row, so the batches are those
  // of no mixture.
  DataLoaderOptions exact = options;
  exact.heldOutFraction = 0;
  exact.mixture = Mixture{3, 2};
  options.heldOutFraction = 0;
  DataLoader plain = loader(options), ratio = loader(exact);
  EXPECT_EQ(take(plain, 30), take(ratio, 30));
}

TEST_F(MixtureTest, Errors) {
  DataLoaderOptions options = mixed(1, 0);
  options.batchSize = 32;
  EXPECT_EQ(DataLoader::create(*data, options).getStatus().str(),
            dir.path("m.pemb") +
                ": error: the training split has 30 rows in mixture 1:0, "
                "fewer than one batch of 32 (keep the last partial batch, or "
                "use a smaller batch)");
  EXPECT_EQ(PairLoader::create(*data, mixed(1, 0)).getStatus().str(),
            dir.path("m.pemb") + ": error: the training split has no aligned "
                                 "pairs in mixture 1:0");

  ASSERT_TRUE(writeDataset(dir.path("i.pemb"), mixedContents(8, 0)).isOk());
  StatusOr<Dataset> imagesOnly = Dataset::open(dir.path("i.pemb"));
  ASSERT_TRUE(imagesOnly.isOk()) << imagesOnly.getStatus().str();
  EXPECT_EQ(DataLoader::create(*imagesOnly, mixed(0, 1)).getStatus().str(),
            dir.path("i.pemb") +
                ": error: the training split has no rows in mixture 0:1");

  // The fixture of DataLoaderTest: 10 of its 50 rows have no modality.
  ASSERT_TRUE(writeDataset(dir.path("u.pemb"), pairedContents(20, 10)).isOk());
  StatusOr<Dataset> unspecified = Dataset::open(dir.path("u.pemb"));
  ASSERT_TRUE(unspecified.isOk()) << unspecified.getStatus().str();
  EXPECT_EQ(DataLoader::create(*unspecified, mixed(1, 1)).getStatus().str(),
            dir.path("u.pemb") +
                ": error: 10 of 50 rows have unspecified modality; --mix 1:1 "
                "needs every row to be image or text");
  // Without a mixture the same dataset loads.
  EXPECT_TRUE(DataLoader::create(*unspecified, mixed(0, 0)).isOk());
}

} // namespace
