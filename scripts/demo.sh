#!/usr/bin/env bash
# The main job: installs what is missing, builds, imports the bundled real
# CLIP embeddings (500 COCO image-caption pairs) and prints their summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
DATA=examples/data/coco500-clip-vitb16
mkdir -p out
build/bin/prism data import \
  --npy "$DATA/features_clip.npy" --layout stacked-pairs \
  --captions "$DATA/coco500_captions.tsv" \
  -o out/coco500.pemb
build/bin/prism data info out/coco500.pemb
