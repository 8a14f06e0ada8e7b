#!/usr/bin/env bash
# The main job: installs what is missing, builds, imports the bundled real
# CLIP embeddings (500 COCO image-caption pairs), trains the TopK SAE of
# examples/topk.sae on them on the CPU, prints its metrics (prism eval) and
# writes the concept report (prism analyze: modality scores, modality
# subspace, Bridge Score with captions, linear baselines) to out/report.
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

# 1000 rows: batches of 256 instead of the model's 4096, and 1000 steps
# (about 250 epochs) instead of its 20000, so that this runs in minutes.
RUN=out/topk-coco500
rm -rf "$RUN"
build/bin/prism train examples/topk.sae --data out/coco500.pemb \
  --steps 1000 --batch 256 --seed 0 --log-every 100 -o "$RUN"
echo "training metrics (every 100 steps): $RUN/metrics.jsonl"
tail -n 3 "$RUN/metrics.jsonl"
# R² (both definitions), L0 and dead latents of the final checkpoint, overall
# and per modality.
build/bin/prism eval "$RUN" --data out/coco500.pemb -o "$RUN/eval.json"
# The concepts of the run: report.json, SVG plots and a self-contained
# report.html (open it in a browser; docs/analysis.md explains each figure).
build/bin/prism analyze "$RUN" --data out/coco500.pemb -o out/report
