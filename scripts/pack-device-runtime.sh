#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a lent GPU machine that has no node: an
# xz-compressed node binary, the built adainf (dist/, bin/, stdlib/, pipelines/...) with
# only the node_modules files a traced local run of the check opened (dawn.node for
# linux-x64 only), and the Vulkan loader .deb. Writes DEST (default .cache/gpu-check,
# git-ignored), which the device call names in `carry` (docs/gpu.md).
#
#   scripts/pack-device-runtime.sh [DEST]      (PACK_NO_BUILD=1: use dist/ as it is)
#
# Needs here: node, npm ci done, strace, xz, apt-get (for the .deb), and a WebGPU
# adapter (lavapipe: .ci/install-webgpu) for the traced run.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
DEST=$(realpath -m "${1:-.cache/gpu-check}")
TMP=$(mktemp -d /tmp/pack-device-runtime.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
log() { echo "[pack] $*"; }

[ "${PACK_NO_BUILD:-0}" = 1 ] || { log "npm run build"; npm run build >/dev/null; }
[ -f dist/bench/step.js ] || { log "dist/bench/step.js missing: build first"; exit 1; }
command -v strace >/dev/null || { log "strace is needed to find the node_modules files used"; exit 1; }

# 1. A traced tiny run of everything gpu-check.sh runs with node, from the repo's
#    node_modules: every file under node_modules/ that a call opened or looked at (stat,
#    access: module resolution checks that an entry exists without opening it) is kept.
log "tracing a tiny run (lavapipe; a few minutes)"
mkdir -p "$TMP/cwd/pipelines" "$TMP/cwd/datasets/generated"
sed -e 's/size = 160_000/size = 500/' -e 's/steps = 800/steps = 4/' -e 's/every = 200 steps/every = 2 steps/' \
  -e 's/checkpoint_every = 200 steps/checkpoint_every = 2 steps/' -e 's/epochs = 20/epochs = 1/' \
  pipelines/quickstart.adainf >"$TMP/cwd/pipelines/quickstart.adainf"
trace() { (cd "$TMP/cwd" && strace -f --seccomp-bpf -qq -e trace=%file -o "$TMP/trace.$1" "${@:2}") >"$TMP/log.$1" 2>&1 || {
  log "traced command $1 failed:"; tail -20 "$TMP/log.$1"; exit 1; }; }
trace backends node "$REPO/bin/adainfc.js" backends --json
trace select node --input-type=module -e "
  import { backendStatuses, releaseBackends } from '$REPO/dist/src/runtime/backend/select.js';
  console.log(JSON.stringify(await backendStatuses())); await releaseBackends();"
trace step node "$REPO/dist/bench/step.js" --model convnet --projector 64,32 --backend webgpu --no-torch \
  --batch 2 --warmup 0 --steps 1 --json
# The CPU figure (gpu-check.sh part 4b): the wasm backend, threaded (its pool's worker
# script and threaded binary) and single-threaded (the fallback's binary).
trace cpustep node "$REPO/dist/bench/step.js" --model convnet --projector 64,32 --backend wasm --wasm-threads 2 --no-torch \
  --batch 2 --warmup 0 --steps 1 --no-profile --json
trace cpustep1 node "$REPO/dist/bench/step.js" --model convnet --projector 64,32 --backend wasm --wasm-threads 1 --no-torch \
  --batch 2 --warmup 0 --steps 1 --no-profile --json
trace generate node "$REPO/bin/adainfc.js" generate --from mnist --count 500 -o datasets/generated/mnist-gen.npz
trace run node "$REPO/bin/adainfc.js" run pipelines/quickstart.adainf --backend webgpu --no-color
cat "$TMP"/trace.* | grep -v ' = -1 ' | grep -oE "\"$REPO/node_modules/[^\"]+\"" | tr -d '"' | sed "s|^$REPO/||" |
  sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$TMP/files"
# Every package.json on the way (node reads them for "type" and "exports").
for d in $(sed -E 's|^(node_modules/(@[^/]+/)?[^/]+)/.*|\1|' "$TMP/files" | sort -u); do
  [ -f "$d/package.json" ] && echo "$d/package.json"
done >>"$TMP/files"
sort -u -o "$TMP/files" "$TMP/files"
log "$(wc -l <"$TMP/files") node_modules files used ($(xargs du -cb <"$TMP/files" | tail -1 | cut -f1) bytes) in $(sed -E 's|^(node_modules/(@[^/]+/)?[^/]+)/.*|\1|' "$TMP/files" | sort -u | wc -l) packages"

# 2. The runtime tree: built code (no maps, no .d.ts), CLI, stdlib, pipelines, those files.
R="$TMP/adainf"
mkdir -p "$R"
cp package.json README.md "$R/"
cp -r bin stdlib pipelines grammar "$R/"
(cd "$REPO" && find dist -path dist/snapshot -prune -o -type f ! -name '*.map' ! -name '*.d.ts' ! -name '*.tsbuildinfo' -print) >"$TMP/dist-files"  # the start-up snapshot is this machine's; the device check runs bin/adainfc.js
tar -cf - -T "$TMP/dist-files" -T "$TMP/files" | tar -xf - -C "$R"
mkdir -p "$DEST"
rm -f "$DEST/runtime.tar.xz" "$DEST/node.xz"
log "compressing the runtime ($(du -sh "$R" | cut -f1))"
tar -cf - -C "$TMP" adainf | xz -9 -T0 >"$DEST/runtime.tar.xz"
log "compressing node $(node --version) ($(du -h "$(command -v node)" | cut -f1))"
xz -9 -T0 -c "$(readlink -f "$(command -v node)")" >"$DEST/node.xz"
cp "$TMP/files" "$DEST/node_modules-files.txt"

# 3. The Vulkan loader and GL dispatch (the device README's recipe). The loader alone is
# not enough: NVIDIA's Vulkan ICD is libGLX_nvidia.so.0, which needs libglvnd's
# libGLdispatch (measured on the H200, 2026-11-30: without it "Could not get
# 'vkCreateInstance' ... for ICD libGLX_nvidia.so.0", no adapter).
GL_DEBS=(libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2)
mkdir -p "$DEST/gl"
missing=()
for p in "${GL_DEBS[@]}"; do ls "$DEST/gl/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "downloading ${missing[*]} (amd64)"
  mkdir -p "$TMP/amd64/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$TMP/amd64" -oAPT::Sandbox::User=root)
  apt-get "${o[@]}" update -qq
  (cd "$DEST/gl" && apt-get "${o[@]}" download "${missing[@]}")
fi
log "wrote $DEST:"
du -b "$DEST"/* "$DEST"/gl/* | sed 's/^/  /'
log "total $(du -cb "$DEST"/node.xz "$DEST"/runtime.tar.xz "$DEST"/gl/*.deb | tail -1 | cut -f1) bytes (the device call carries at most 64 MiB with the working tree)"
