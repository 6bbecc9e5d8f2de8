#!/usr/bin/env bash
# The one prepared device check of issue 12 (docs/gpu.md): in one call of a lent GPU
# machine, with no node and maybe no Vulkan loader there, it unpacks the runtime that
# scripts/pack-device-runtime.sh made, prints the WebGPU adapter and nvidia-smi, runs the
# ResNet-18 SimCLR step on webgpu (2x256 and 2x512 views) against bench/gpu_step.py
# (PyTorch CUDA fp32, tf32 and bf16), profiles one step per kernel (GPU time vs JS dispatch),
# trains the paper's step through `adainfc run` (bench/gpu-paper.adainf: LARS, the online
# classifier, augmentation on the CPU threads; fed vs consumed views/s), checks that
# webgpu trains every method as wasm does (bench/gpu-parity.adainf, both at once), runs the
# quickstart on webgpu with its wall time, times the host's share of the step (Dawn's null
# backend, with our dispatch hooks and without), and, as time allows, the same ResNet-18 step on
# the CPU (wasm on 8 threads against PyTorch CPU on 8) and under sets of tfjs-webgpu's
# flags, and prints a summary.
# Writes at most 13 files to $OUT. GPU_CHECK_TINY=1: tiny sizes, to try it on lavapipe.
#
#   bash bench/gpu-check.sh            (on the device: OUT set by the tool)
#   GPU_CHECK_TINY=1 OUT=/tmp/gc-out bash bench/gpu-check.sh
#
# Knobs (environment): GPU_CHECK_PACK (default .cache/gpu-check), GPU_CHECK_WORK (where
# the runtime is unpacked, default /tmp/gpu-check), GPU_CHECK_BUDGET_S (default 480, tiny
# 900: the parts are cut short to end inside it), PYTHON (default python3).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACK=$(cd "$REPO" && realpath -m "${GPU_CHECK_PACK:-.cache/gpu-check}")
WORK=${GPU_CHECK_WORK:-/tmp/gpu-check}
OUT=${OUT:-/tmp/gpu-check-out}
TINY=${GPU_CHECK_TINY:-0}
BUDGET=${GPU_CHECK_BUDGET_S:-480}
[ "$TINY" = 1 ] && BUDGET=${GPU_CHECK_BUDGET_S:-900} # lavapipe evaluates the quickstart slowly
PY=${PYTHON:-python3}
T0=$(date +%s)
mkdir -p "$OUT" "$WORK"

{ # everything below also goes to $OUT/gpu-check.log

elapsed() { echo $(($(date +%s) - T0)); }
log() { echo "[gpu-check +$(elapsed)s] $*"; }
left() { echo $((BUDGET - $(elapsed))); }
# Dawn's start-up warnings about dynamic buffer limits: noise, once per process.
quiet() { grep --line-buffered -v 'artificially reduced from' || true; }

MODEL_ARGS=(--model resnet18 --feature-dim 512 --projector 2048,256 --backend webgpu --no-torch)
if [ "$TINY" = 1 ]; then
  # "2x256" and "2x512" stand for 2x4 and 2x8 on lavapipe, where one ResNet-18 step at
  # 2x4 takes about a minute: the convnet unless GPU_CHECK_TINY_MODEL=resnet18.
  [ "${GPU_CHECK_TINY_MODEL:-convnet}" = resnet18 ] || MODEL_ARGS=(--model convnet --projector 2048,256 --backend webgpu --no-torch)
  STEP_ARGS_256=(--batch 4 --warmup 1 --settle-s 2 --steps 2)
  STEP_ARGS_512=(--batch 8 --warmup 1 --steps 1 --no-profile)
  TORCH_ARGS=(--batches 4,8 --warmup 1 --steps 2 --device cpu)
  CPU_BATCH=4
  GEN_COUNT=2000
  PAPER_COUNTS=(300 300 100) # real, generated, test images
else
  # --settle-s: more warm-up steps (up to 45) while under that many seconds, so that the
  # dispatch hooks have settled (docs/runtime.md, "The host's share of a step").
  STEP_ARGS_256=(--batch 256 --warmup 2 --settle-s 20 --steps 8)
  STEP_ARGS_512=(--batch 512 --warmup 2 --settle-s 15 --steps 5 --no-profile)
  TORCH_ARGS=(--batches 256,512)
  CPU_BATCH=32
  GEN_COUNT=160000
  PAPER_COUNTS=(50000 100000 10000)
fi

# --- 1. the runtime, the Vulkan loader, the adapter ---------------------------------------
log "unpacking $PACK into $WORK (tiny=$TINY, budget ${BUDGET}s)"
[ -f "$PACK/node.xz" ] && [ -f "$PACK/runtime.tar.xz" ] || { log "no packed runtime in $PACK: run scripts/pack-device-runtime.sh first"; exit 2; }
unxz_to_stdout() { # xz where the image has it, else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1"; else "$PY" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
unxz_to_stdout "$PACK/node.xz" >"$WORK/node" && chmod +x "$WORK/node"
rm -rf "$WORK/adainf" && unxz_to_stdout "$PACK/runtime.tar.xz" | tar -xf - -C "$WORK" || { log "unpacking failed"; exit 2; }
NODE="$WORK/node"
RT="$WORK/adainf"
log "node $("$NODE" --version); runtime $(du -sh "$RT" | cut -f1)"

# The loader, and libglvnd's GL dispatch that NVIDIA's ICD (libGLX_nvidia.so.0) needs.
if ! ldconfig -p | grep 'libvulkan\.so\.1' >/dev/null || ! ldconfig -p | grep 'libGLdispatch\.so\.0' >/dev/null; then
  log "no Vulkan loader or GL dispatch: unpacking $(ls "$PACK"/gl/*.deb 2>/dev/null | wc -l) carried .debs into /"
  for f in "$PACK"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's ICD json sits outside the loader's search path on the lent machines.
nv_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$nv_icd" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nv_icd VK_ICD_FILENAMES=$nv_icd
  log "VK_DRIVER_FILES=$nv_icd"
fi

{
  echo "== uname"; uname -a
  echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "== Vulkan loader"; ldconfig -p | grep libvulkan
  echo "== ICDs"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  echo "== python"; "$PY" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>&1
} >"$OUT/env.txt"
cat "$OUT/env.txt"

cd "$RT" || exit 2
log "adapter (adainfc backends --json)"
if ! timeout 60 "$NODE" bin/adainfc.js backends --json 2>&1 >"$OUT/adapter.json" | quiet; then
  log "adainfc backends failed; backendStatuses() directly"
  timeout 60 "$NODE" --input-type=module -e '
    import { backendStatuses, releaseBackends } from "./dist/src/runtime/backend/select.js";
    const s = await backendStatuses();
    console.log(JSON.stringify(s, null, 2));
    await releaseBackends();' 2>&1 >"$OUT/adapter.json" | quiet
fi
"$PY" - "$OUT/adapter.json" <<'EOF' || cat "$OUT/adapter.json"
import json, sys
d = json.load(open(sys.argv[1]))
print("auto-selected backend:", d.get("auto"))
for b in d.get("backends", d.get("statuses", [])):
    print(f"  {b['name']:15} {'available' if b['available'] else 'not available'}: {b['detail'][:160]}")
    a = b.get("adapter")
    if a:
        print(f"  {'':15} limits {a['limits']}")
        print(f"  {'':15} timestamp-query: {'timestamp-query' in a['features']}, shader-f16: {'shader-f16' in a['features']}, subgroups: {'subgroups' in a['features']}, "
              f"subgroup matrix: {[f for f in a['features'] if 'matrix' in f]}")
EOF

# No adapter, or a software one (lavapipe), on the device: every webgpu figure would be
# meaningless (or take hours). Say so loudly, keep the Vulkan loader's own account of
# what it found, and run only what needs no webgpu (PyTorch), so the call ends early.
WEBGPU_HW=$("$PY" -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    w = [b for b in d.get("backends", d.get("statuses", [])) if b["name"] == "webgpu"][0]
    print(1 if w["available"] and w.get("adapter") and not w["adapter"].get("software") else 0)
except Exception:
    print(0)' "$OUT/adapter.json")
SKIP_WEBGPU=0
if [ "$TINY" != 1 ] && [ "$WEBGPU_HW" != 1 ]; then
  SKIP_WEBGPU=1
  log "NO HARDWARE WEBGPU ADAPTER: the webgpu parts are skipped; the Vulkan loader's log goes to env.txt"
  { echo "== VK_LOADER_DEBUG=error,warn,info adainfc backends"; VK_LOADER_DEBUG=error,warn,info timeout 60 "$NODE" bin/adainfc.js backends 2>&1 | head -300; } >>"$OUT/env.txt"
fi
webgpu_skipped() { # what label file: records the skip where the part's result would be
  [ "$SKIP_WEBGPU" = 1 ] || return 1
  log "skipped $1: no hardware webgpu adapter"
  echo "{\"bench\":\"step\",\"label\":\"$2\",\"error\":\"no hardware webgpu adapter\"}" >>"$3"
}

# The quickstart's generated set, made on the CPU while the GPU benchmarks run.
mkdir -p datasets/generated
QS_PIPE=pipelines/quickstart.adainf
if [ "$TINY" = 1 ]; then
  # 2,000 generated digits, 6 steps, a 1-epoch probe: the same code paths, lavapipe-sized.
  sed -e 's/size = 160_000/size = 2_000/' -e 's/steps = 800/steps = 6/' -e 's/every = 200 steps/every = 3 steps/' \
    -e 's/checkpoint_every = 200 steps/checkpoint_every = 3 steps/' -e 's/epochs = 20/epochs = 1/' \
    pipelines/quickstart.adainf >pipelines/quickstart-tiny.adainf
  QS_PIPE=pipelines/quickstart-tiny.adainf
fi
log "generating $GEN_COUNT stand-in digits in the background"
(
  s=$(date +%s)
  "$NODE" bin/adainfc.js generate --from mnist --count "$GEN_COUNT" -o datasets/generated/mnist-gen.npz >"$WORK/generate.log" 2>&1 &
  echo $! >"$WORK/generate.pid"
  wait $!
  echo "rc=$? wall_s=$(($(date +%s) - s))" >>"$WORK/generate.log"
) &
GEN_PID=$!

# The paper run's stand-in files (CIFAR-10-shaped random pixels, numpy), also in the background.
mkdir -p bench && cp "$REPO/bench/gpu-paper.adainf" bench/ # the pack holds no bench/ sources
PAPER_PIPE=bench/gpu-paper.adainf
if [ "$TINY" = 1 ]; then
  # 2x8 views, 4 steps; the convnet unless GPU_CHECK_TINY_MODEL=resnet18 (as above).
  tiny_model='s/resnet18(stem = cifar)/convnet(channels = (16, 32, 64), feature_dim = 64)/'
  [ "${GPU_CHECK_TINY_MODEL:-convnet}" = resnet18 ] && tiny_model='s/^$//'
  sed -e 's/batch_size = 512/batch_size = 8/' -e 's/^    steps = 50$/    steps = 4/' -e 's/every = 50 steps/every = 4 steps/' \
    -e 's/warmup = 10 steps/warmup = 1 steps/' -e "$tiny_model" "$PAPER_PIPE" >bench/gpu-paper-tiny.adainf
  PAPER_PIPE=bench/gpu-paper-tiny.adainf
fi
log "writing the paper run's stand-in data (${PAPER_COUNTS[*]} images) in the background"
"$PY" - datasets/paper "${PAPER_COUNTS[@]}" >"$WORK/paper-data.log" 2>&1 <<'EOF' &
import os, sys
import numpy as np
out, counts = sys.argv[1], [int(c) for c in sys.argv[2:5]]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
for name, n, labelled in (("real", counts[0], True), ("gen", counts[1], False), ("test", counts[2], True)):
    image = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    label = rng.integers(0, 10, size=n).astype(np.int64) if labelled else np.full(n, -1, np.int64)
    np.savez(os.path.join(out, name + ".npz"), image=image, label=label)  # docs/paper.md §4's members
    print(name, image.shape, flush=True)
EOF
PAPER_DATA_PID=$!

# --- 2. step benchmark: PyTorch, then webgpu -----------------------------------------------
log "PyTorch step (bench/gpu_step.py ${TORCH_ARGS[*]})"
: >"$OUT/torch-step.jsonl"
if "$PY" -c 'import torch' 2>/dev/null; then
  PYTHONUNBUFFERED=1 timeout 150 "$PY" "$REPO/bench/gpu_step.py" "${TORCH_ARGS[@]}" | tee "$OUT/torch-step.jsonl"
  log "PyTorch rc=${PIPESTATUS[0]}"
else
  log "no PyTorch here: skipped"
fi

: >"$OUT/webgpu-step.jsonl"
run_step() { # label timeout args... (STEP_OUT: the jsonl file, default webgpu-step.jsonl)
  local label=$1 t=$2 file=${STEP_OUT:-$OUT/webgpu-step.jsonl}
  shift 2
  webgpu_skipped "the webgpu step $label" "$label" "$file" && return
  log "webgpu step $label: node dist/bench/step.js $* (timeout ${t}s)"
  timeout "$t" "$NODE" dist/bench/step.js "$@" --json 2>"$WORK/step-$label.err" >>"$file"
  local rc=$?
  quiet <"$WORK/step-$label.err" | tail -5
  [ $rc = 0 ] || { log "webgpu step $label failed (rc=$rc; 124 = timeout)"; echo "{\"bench\":\"step\",\"label\":\"$label\",\"error\":\"rc $rc\"}" >>"$file"; }
  tail -n1 "$file" | "$PY" -c '
import json, sys
d = json.loads(sys.stdin.read())
if "error" not in d:
    print("  %(views)s views: %(ms_per_step_median)s ms/step awaited, %(ms_per_step_pipelined)s ms/step pipelined, %(views_per_s)s views/s, "
          "dispatch %(dispatch_ms_median)s ms, warm-up %(warmup_ms)s ms, loss %(loss).4f" % d)'
}
run_adainfc() { # what label pipeline timeout log: `adainfc run` on webgpu; sets RUN_RC and RUN_WALL
  local s
  s=$(date +%s.%N)
  if webgpu_skipped "$1" "$2" "$5"; then
    RUN_RC=-1
  else
    log "$1: adainfc run $3 --backend webgpu (timeout ${4}s)"
    timeout "$4" "$NODE" bin/adainfc.js run "$3" --backend webgpu --no-color 2>&1 | quiet >"$5"
    RUN_RC=${PIPESTATUS[0]}
  fi
  RUN_WALL=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $s }")
}
B_LO=${STEP_ARGS_256[1]} B_HI=${STEP_ARGS_512[1]} # images per view: 256 and 512 (tiny: 4 and 8)
run_step "$B_LO" $(($(left) > 200 ? 150 : $(left) / 2)) "${MODEL_ARGS[@]}" "${STEP_ARGS_256[@]}"
# The dispatch hooks (src/runtime/backend/webgpu-dispatch.ts) are new and were never run on
# this GPU: if the step failed with them, it is tried once without, and if that works the
# rest of the check runs without them (the summary says so), rather than losing the call.
if [ "$SKIP_WEBGPU" = 0 ] && tail -n1 "$OUT/webgpu-step.jsonl" | grep -q '"error"' && [ "$(left)" -gt 200 ]; then
  log "the webgpu step failed with the dispatch hooks: once more without them (ADAINF_WEBGPU_FAST_DISPATCH=0)"
  ADAINF_WEBGPU_FAST_DISPATCH=0 run_step "$B_LO" $(($(left) > 250 ? 120 : $(left) / 3)) "${MODEL_ARGS[@]}" "${STEP_ARGS_256[@]}"
  if ! tail -n1 "$OUT/webgpu-step.jsonl" | grep -q '"error"'; then
    export ADAINF_WEBGPU_FAST_DISPATCH=0
    log "without the hooks it ran: the rest of the check runs without them"
  fi
fi

# --- 2b. the host's share of that step, and of the trainer's, on this machine's CPU ---------------
# Dawn's null backend (every dispatch made, nothing computed; no GPU needed) times what
# JavaScript, tfjs and Dawn's bindings spend dispatching the step: with our dispatch hooks,
# then without (ADAINF_WEBGPU_FAST_DISPATCH=0: tfjs-webgpu as shipped). The null device
# holds little memory, so at 2x8 views: the host's work per step hardly depends on the
# batch (the same kernels on other shapes; the bench uploads no input; measured here at
# 2x2 and 2x8). A GPU step pipelined near the first figure is bound by the host, not the GPU.
: >"$OUT/host-step.jsonl"
if [ "$(left)" -gt 230 ]; then
  for fd in 1 0; do
    log "host's share, 2x8: Dawn's null backend, ADAINF_WEBGPU_FAST_DISPATCH=$fd"
    ADAINF_DAWN_FLAGS="backend=null" ADAINF_WEBGPU_FAST_DISPATCH=$fd timeout 30 "$NODE" dist/bench/step.js "${MODEL_ARGS[@]}" \
      --batch 8 --warmup 45 --steps 20 --json >>"$OUT/host-step.jsonl" 2>"$WORK/host-$fd.err" ||
      { rc=$?; log "host's share failed (rc=$rc)"; quiet <"$WORK/host-$fd.err" | tail -3; echo "{\"error\": \"rc $rc\", \"fast_dispatch\": $fd}" >>"$OUT/host-step.jsonl"; }
  done
  # The trainer's own step (`adainfc run`'s: LARS, the online classifier; bench/host-step.ts), for the paper run below.
  log "host's share of the trainer's step, 2x8: Dawn's null backend"
  ADAINF_DAWN_FLAGS="backend=null" timeout 40 "$NODE" dist/bench/host-step.js --json >>"$OUT/host-step.jsonl" 2>"$WORK/host-trainer.err" ||
    { rc=$?; log "the trainer's host share failed (rc=$rc)"; quiet <"$WORK/host-trainer.err" | tail -3; echo "{\"bench\": \"host-step\", \"error\": \"rc $rc\"}" >>"$OUT/host-step.jsonl"; }
  tail -n 3 "$OUT/host-step.jsonl" | cut -c1-400
else
  log "skipped the host's share: $(left) s left"
fi

# --- 3. the paper's step through adainfc run -----------------------------------------------------
# bench/gpu-paper.adainf: 512 images (1,024 views) a step, LARS, the online classifier,
# augmentation on the CPU threads (--augment-threads auto), 50 steps then one evaluation.
# metrics.jsonl gives the step time, done.json's `input` what augmentation fed.
log "waiting for the paper run's data"
wait $PAPER_DATA_PID
cat "$WORK/paper-data.log"
: >"$OUT/paper-run.log"
run_adainfc "the paper run" paper-run "$PAPER_PIPE" $(($(left) > 260 ? 160 : $(left) / 2)) "$OUT/paper-run.log"
tail -n 12 "$OUT/paper-run.log"
{ # what the summary reads, in the same file: the step metrics and done.json (if it finished)
  echo "{\"paper_run\": {\"rc\": $RUN_RC, \"wall_s\": $RUN_WALL, \"pipeline\": \"$PAPER_PIPE\"}}"
  sed 's/^/{"metrics": /; s/$/}/' runs/gpu-paper/metrics.jsonl 2>/dev/null
  [ -f runs/gpu-paper/done.json ] && echo "{\"done\": $(tr -d '\n' <runs/gpu-paper/done.json)}"
} >>"$OUT/paper-run.log"
log "paper run rc=$RUN_RC wall ${RUN_WALL}s"

# --- 3b. parity: the same steps on webgpu and on wasm ------------------------------------------
# bench/gpu-parity.adainf: 5 steps of ResNet-18 (SimCLR, LARS) and of every method on the
# convnet, on real MNIST digits, then kNN and the online classifier; run once per backend
# at the same time (wasm on 8 CPU threads, webgpu on the GPU) and compared step by step:
# whether the WGSL kernels compute on this GPU what the CPU computes.
: >"$OUT/parity.log"
cp "$REPO/bench/gpu-parity.adainf" bench/
PARITY_PIPE=bench/gpu-parity.adainf
if [ "$TINY" = 1 ]; then
  # lavapipe: no ResNet-18 case, 3 steps of 8 images on 64 digits.
  sed -e '/resnet18 {/d' -e 's/size = 256/size = 64/' -e 's/size = 128/size = 64/' -e 's/batch_size = 32/batch_size = 8/' \
    -e 's/^    steps = 5$/    steps = 3/' -e 's/every = 5 steps/every = 3 steps/' -e 's/checkpoint_every = 5 steps/checkpoint_every = 3 steps/' \
    bench/gpu-parity.adainf >bench/gpu-parity-tiny.adainf
  PARITY_PIPE=bench/gpu-parity-tiny.adainf
fi
if [ "$SKIP_WEBGPU" = 1 ]; then
  log "skipped parity: no hardware webgpu adapter"
elif [ "$(left)" -gt 200 ]; then
  pt=$(($(left) > 300 ? 100 : $(left) / 3))
  [ "$TINY" = 1 ] && pt=$(($(left) / 3))
  log "parity: adainfc run $PARITY_PIPE on webgpu and on wasm (8 threads) at once (timeout ${pt}s)"
  rm -rf runs/parity-webgpu runs/parity-wasm
  timeout "$pt" "$NODE" bin/adainfc.js run "$PARITY_PIPE" --backend webgpu --set output.dir=runs/parity-webgpu --no-color >"$WORK/parity-webgpu.log" 2>&1 &
  PARITY_WEBGPU_PID=$!
  timeout "$pt" "$NODE" bin/adainfc.js run "$PARITY_PIPE" --backend wasm --wasm-threads 8 --set output.dir=runs/parity-wasm --no-color >"$WORK/parity-wasm.log" 2>&1
  parity_wasm_rc=$?
  wait $PARITY_WEBGPU_PID
  parity_webgpu_rc=$?
  quiet <"$WORK/parity-webgpu.log" | tail -n 9
  { # what the summary reads: each backend's exit code, each point's losses and final figures
    echo "{\"parity\": {\"webgpu_rc\": $parity_webgpu_rc, \"wasm_rc\": $parity_wasm_rc, \"pipeline\": \"$PARITY_PIPE\"}}"
    for b in webgpu wasm; do
      for d in runs/parity-$b/*/; do
        [ -f "$d/metrics.jsonl" ] || continue
        c=$(basename "$d")
        echo "{\"backend\": \"$b\", \"point\": \"$c\", \"losses\": [$(grep -o '"loss":[^,}]*' "$d/metrics.jsonl" | cut -d: -f2 | paste -sd,)], \"done\": $([ -f "$d/done.json" ] && tr -d '\n' <"$d/done.json" || echo null)}"
      done
    done
    echo "== webgpu's log"; quiet <"$WORK/parity-webgpu.log" | tail -n 40
    echo "== wasm's log"; tail -n 15 "$WORK/parity-wasm.log"
  } >>"$OUT/parity.log"
  log "parity webgpu rc=$parity_webgpu_rc wasm rc=$parity_wasm_rc"
else
  log "skipped parity: $(left) s left"
fi

# --- 4. the rest, as time allows: 2x512, tfjs's own kernels, the quickstart ------------------
if [ "$(left)" -gt 200 ]; then
  run_step "$B_HI" $(($(left) > 280 ? 120 : $(left) / 3)) "${MODEL_ARGS[@]}" "${STEP_ARGS_512[@]}"
else
  log "skipped the 2x$B_HI step: $(left) s left"
fi
# The same 2x256 step with tfjs-webgpu's own kernels (ours off: batch norm, the filter
# gradient, the matrix-product input gradient, LARS/axpby): what ours buy on this GPU.
: >"$OUT/webgpu-step-tfjs.jsonl"
if [ "$(left)" -gt 150 ]; then
  ADAINF_WEBGPU_FUSED_BN=0 ADAINF_WEBGPU_FILTER_GRAD=0 ADAINF_WEBGPU_MM_INPUT_GRAD=0 ADAINF_WEBGPU_FUSED_OPTIM=0 \
    STEP_OUT="$OUT/webgpu-step-tfjs.jsonl" run_step "$B_LO-tfjs" 90 "${MODEL_ARGS[@]}" "${STEP_ARGS_256[@]}"
else
  log "skipped the tfjs-kernels comparison: $(left) s left"
fi

if [ "$SKIP_WEBGPU" = 1 ]; then kill "$(cat "$WORK/generate.pid" 2>/dev/null)" 2>/dev/null; fi
log "waiting for the generated set"
wait $GEN_PID
quiet <"$WORK/generate.log" | tail -3
# --- 4b. the CPU: the same ResNet-18 step at 2x32 on wasm (8 XNNPACK threads, our SIMD loops)
# against PyTorch CPU on 8 threads, while nothing else runs: the only figure above 2 cores.
: >"$OUT/cpu-step.jsonl"
if [ "$(left)" -gt 180 ]; then
  log "CPU step, 2x$CPU_BATCH views: PyTorch CPU and wasm, 8 threads each"
  PYTHONUNBUFFERED=1 timeout 45 "$PY" "$REPO/bench/gpu_step.py" --device cpu --threads 8 --batches "$CPU_BATCH" --precisions fp32 --warmup 2 --steps 5 >>"$OUT/cpu-step.jsonl" 2>"$WORK/cpu-torch.err" ||
    { log "PyTorch CPU step failed (rc=$?)"; tail -3 "$WORK/cpu-torch.err"; }
  timeout 60 "$NODE" dist/bench/step.js --model resnet18 --feature-dim 512 --projector 2048,256 --backend wasm --wasm-threads 8 --no-torch \
    --batch "$CPU_BATCH" --warmup 1 --steps 2 --no-profile --json >>"$OUT/cpu-step.jsonl" 2>"$WORK/cpu-wasm.err" ||
    { log "wasm CPU step failed (rc=$?)"; quiet <"$WORK/cpu-wasm.err" | tail -3; }
  cat "$OUT/cpu-step.jsonl"
else
  log "skipped the CPU step: $(left) s left"
fi

# --- 4c. tfjs-webgpu's own flags on this GPU: the 2x256 step under each set in one process
# (bench/step.js --flag-sweep): which of tfjs's switches (queue submits per batch of
# dispatches, im2col as its own shader, the matrix-product program) would be a better
# default here. "default" first and last: how far the GPU drifts between them.
FLAG_SETS="default;WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64;WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=256;WEBGPU_CONV_SEPARATE_IM2COL_SHADER=true;WEBGPU_MATMUL_PROGRAM_TYPE=3;default"
: >"$OUT/webgpu-flags.jsonl"
if [ "$SKIP_WEBGPU" = 1 ]; then
  log "skipped the tfjs flag sweep: no hardware webgpu adapter"
elif [ "$(left)" -gt 170 ]; then
  ft=$(($(left) - 80))
  [ $ft -gt 90 ] && ft=90
  log "tfjs flag sweep, 2x$B_LO: $FLAG_SETS (timeout ${ft}s)"
  timeout "$ft" "$NODE" dist/bench/step.js "${MODEL_ARGS[@]}" --batch "$B_LO" --warmup 1 --steps 5 --flag-sweep "$FLAG_SETS" \
    >"$OUT/webgpu-flags.jsonl" 2>"$WORK/flags.err" || log "flag sweep rc=$? (124 = timeout: the sets measured are kept)"
  quiet <"$WORK/flags.err" | tail -3
  cat "$OUT/webgpu-flags.jsonl"
else
  log "skipped the tfjs flag sweep: $(left) s left"
fi

: >"$OUT/quickstart.log"
qs_t=$(($(left) - 20))
[ $qs_t -lt 30 ] && qs_t=30
run_adainfc "the quickstart" quickstart "$QS_PIPE" "$qs_t" "$OUT/quickstart.log"
echo "{\"rc\": $RUN_RC, \"wall_s\": $RUN_WALL, \"pipeline\": \"$QS_PIPE\", \"generate\": \"$(tail -n1 "$WORK/generate.log" | tr -d '"\\')\"}" >>"$OUT/quickstart.log"
tail -n 25 "$OUT/quickstart.log"
log "quickstart rc=$RUN_RC wall ${RUN_WALL}s"

# --- 5. summary --------------------------------------------------------------------------------
cd "$REPO" || exit 2
"$PY" - "$OUT" "$TINY" "$(elapsed)" "$B_LO" "$B_HI" <<'EOF' | tee "$OUT/summary.txt"
import json, os, sys
out, tiny, elapsed = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
lo, hi = int(sys.argv[4]), int(sys.argv[5])
def jl(name):
    rows = []
    try:
        for line in open(os.path.join(out, name)):
            line = line.strip()
            if line.startswith("{"):
                try: rows.append(json.loads(line))
                except ValueError: pass
    except OSError: pass
    return rows
web = {int(r.get("batch_per_view") or r.get("label")): r for r in jl("webgpu-step.jsonl")}
skipped = any(r.get("error") == "no hardware webgpu adapter" for r in jl("webgpu-step.jsonl"))
torch = {(r["precision"], r["batch_per_view"]): r for r in jl("torch-step.jsonl")}
try:
    d = json.load(open(os.path.join(out, "adapter.json")))
    adapter = next(b for b in (d.get("backends") or d.get("statuses") or []) if b["name"] == "webgpu")
except Exception: adapter = {}
bs = [lo, hi]
print("=" * 78)
print(f"gpu-check summary{' (TINY: lavapipe-sized, not the device figures)' if tiny else ''}; {elapsed} s in all")
print(f"adapter: {adapter.get('detail', '?')}")
if skipped:
    print("NO HARDWARE WEBGPU ADAPTER: every webgpu part was skipped; env.txt ends with the Vulkan loader's log (VK_LOADER_DEBUG)")
w0 = next(iter(web.values()), {})
if "error" not in web.get(lo, {"error": 1}):
    print("webgpu's dispatch hooks: " + ("on" if "bind groups and uniforms reused" in web[lo].get("backend", "")
          else "OFF (ADAINF_WEBGPU_FAST_DISPATCH=0: set by hand, or after the step failed with them; gpu-check.log says which)"))
print(f"{w0.get('model', '?')} + projector {w0.get('projector', '?')}, SimCLR step, SGD momentum, 32x32 views"
      f"{' (PyTorch: always ResNet-18 + 512->2048->256)' if w0.get('model') != 'resnet18' else ''}")
# PyTorch's precisions (bench/gpu_step.py): fp32 with TF32 off (the arithmetic our WGSL
# shaders do), tf32 (PyTorch's default flags: cuDNN convolutions on TF32 tensor cores),
# bf16 autocast. Ratios are against the first two.
print("  PyTorch: fp32 = TF32 off (like for like); tf32 = PyTorch's default flags (cuDNN convolutions in TF32); bf16 = autocast")
print(f"  {'views':>6} {'webgpu awaited':>15} {'webgpu pipelined':>17} {'torch fp32':>11} {'torch tf32':>11} {'torch bf16':>11} {'webgpu/fp32':>12} {'webgpu/tf32':>12}")
ratio, ratio_tf32 = {}, {}
for b in bs:
    w = web.get(b, {"error": "did not run"})
    if "error" in w:
        print(f"  {2*b:>6} webgpu failed ({w['error']})"); continue
    f32, t32, b16 = torch.get(("fp32", b)), torch.get(("tf32", b)), torch.get(("bf16", b))
    r = w["ms_per_step_pipelined"] / f32["ms_per_step"] if f32 else None
    rt = w["ms_per_step_pipelined"] / t32["ms_per_step"] if t32 else None
    ratio[b], ratio_tf32[b] = r, rt
    fmt = lambda x: f"{x:.1f} ms" if x is not None else "-"
    print(f"  {2*b:>6} {fmt(w['ms_per_step_median']):>15} {fmt(w['ms_per_step_pipelined']):>17} {fmt(f32 and f32['ms_per_step']):>11} "
          f"{fmt(t32 and t32['ms_per_step']):>11} {fmt(b16 and b16['ms_per_step']):>11} {('%.2fx' % r) if r else '-':>12} {('%.2fx' % rt) if rt else '-':>12}")
# The paper's run: 100,000 steps; each step 512 images x 2 views (2 GPUs x 256 images per GPU).
def proj(ms): return f"{ms * 1e5 / 3.6e6:.1f} h" if ms else "-"
print("projected wall time of the paper's 100k-step run (512 images x 2 views a step), GPU step time only")
print("  (no augmentation, data loading, LARS, online classifier or evaluation; those are extra):")
def row(name, a, b):
    print(f"  {name:<16} one GPU, 2x{hi} views/step: {proj(b):>8}   2 GPUs x 2x{lo} (no all-reduce cost): {proj(a):>8}")
row("webgpu", web.get(lo, {}).get("ms_per_step_pipelined"), web.get(hi, {}).get("ms_per_step_pipelined"))
for p in ("fp32", "tf32", "bf16"):
    row(f"PyTorch {p}", (torch.get((p, lo)) or {}).get("ms_per_step"), (torch.get((p, hi)) or {}).get("ms_per_step"))
if not tiny:
    for name, rs in (("fp32 (TF32 off)", ratio), ("with its default flags (TF32 convolutions)", ratio_tf32)):
        if rs.get(lo):
            print(f"target (issue 12): webgpu within 4x of PyTorch {name} at 2x{lo}: {'MET' if rs[lo] <= 4 else 'NOT met'} ({rs[lo]:.2f}x)")
w = web.get(lo, {})
if w.get("profile"):
    prof = w["profile"]
    print(f"profile of one 2x{lo} step: {w['profile_kernel_calls']} kernels; GPU kernel time {w['profile_kernel_ms_total']} ms (timestamp queries),"
          f" tf.time kernel {w['time_kernel_ms']} ms / wall {w['time_wall_ms']} ms;")
    print(f"  unprofiled step: JS dispatch {w['dispatch_ms_median']} ms of {w['ms_per_step_median']} ms awaited, {w['ms_per_step_pipelined']} ms pipelined")
    print("  top by GPU time: " + ", ".join(f"{p['kernel']} {p['ms']:.1f} ms/{p['calls']}" for p in prof[:8]))
    print("  top by count:    " + ", ".join(f"{p['kernel']} {p['calls']}" for p in sorted(prof, key=lambda p: -p['calls'])[:8]))
    # What rate the arithmetic reached (bench/kernel-macs.ts); an H200 does about 67 TFLOPS fp32 by its datasheet
    # without tensor cores, so this says how far the shaders are from the hardware.
    rates = [p for p in prof if p.get("tflops") is not None]
    if rates:
        print("  arithmetic rate: " + ", ".join(f"{p['kernel']} {p['gflop']:.3g} GFLOP in {p['ms']:.1f} ms = {p['tflops']:.3g} TFLOPS" for p in rates))
# The host's share (Dawn's null backend: every dispatch made, nothing computed) against the GPU step.
hs = [r for r in jl("host-step.jsonl") if "error" not in r and r.get("bench") != "host-step"]
trainer_host = next((r for r in jl("host-step.jsonl") if r.get("bench") == "host-step" and "error" not in r), None)
hon = next((r for r in hs if r.get("dispatch_reuse")), None)
hoff = next((r for r in hs if not r.get("dispatch_reuse")), None)
if hon or hoff:
    part = lambda r, what: (f"{r['ms_per_step_pipelined']} ms/step pipelined, {r.get('cpu_ms_per_step_pipelined')} ms CPU ({r['dispatch_ms_median']} ms dispatch awaited) {what}"
                            if r else f"- {what}")
    print(f"host's share of the step on this CPU (Dawn's null backend, nothing computed; measured at 2x8 views, what the null device holds): "
          + part(hon, "with our dispatch hooks") + "; " + part(hoff, "as tfjs-webgpu ships (ADAINF_WEBGPU_FAST_DISPATCH=0)"))
    gpu_ms = web.get(lo, {}).get("ms_per_step_pipelined")
    if hon and gpu_ms:
        r = gpu_ms / hon["ms_per_step_pipelined"]
        print(f"  the GPU step pipelined ({gpu_ms} ms) is {r:.2f}x the host's share: "
              + ("bound by the host (JavaScript dispatch): fewer kernels or cheaper dispatch would speed it up" if r < 1.3 else "bound by the GPU's kernels"))
elif jl("host-step.jsonl"):
    print("host's share: failed (host-step.jsonl)")
# The paper's step through adainfc run (bench/gpu-paper.adainf): batch hi images = 2*hi views.
pr = jl("paper-run.log")
head = next((r["paper_run"] for r in pr if "paper_run" in r), None)
steps = [r["metrics"] for r in pr if "metrics" in r]
done = next((r["done"] for r in pr if "done" in r), None)
if head is None:
    print("paper run (adainfc run): did not run")
elif head["rc"] == -1:
    print("paper run (adainfc run): skipped (no hardware webgpu adapter)")
else:
    print(f"paper run (adainfc run {head['pipeline']}, {2*hi} views a step, LARS, online classifier): rc {head['rc']}, {head['wall_s']} s wall, {len(steps)} steps")
    timed = [m for m in steps[5:] if m.get("images_per_s")] or [m for m in steps if m.get("images_per_s")]
    if timed:
        ms = sorted(hi * 1000 / m["images_per_s"] for m in timed)
        med = ms[len(ms) // 2]
        f32 = (torch.get(("fp32", hi)) or {}).get("ms_per_step")
        t32 = (torch.get(("tf32", hi)) or {}).get("ms_per_step")
        print(f"  median step {med:.1f} ms over steps {timed[0]['step'] + 1}-{timed[-1]['step'] + 1} (first step {hi * 1000 / steps[0]['images_per_s']:.0f} ms: shaders compile)"
              + (f"; {med / f32:.2f}x PyTorch fp32's bare step at 2x{hi}" if f32 else "")
              + (f", {med / t32:.2f}x its tf32 step" if t32 else ""))
        print(f"  projected: the paper's 100k steps through adainfc run on this one GPU: {proj(med)} (training steps only; evaluation every 200 steps and checkpoints extra)")
        if trainer_host:
            th = trainer_host["awaited_ms_median"]
            print(f"  the trainer's step's host share on this CPU (Dawn's null backend, 2x8 views, bench/host-step.ts): {th} ms ({trainer_host['cpu_ms_median']} ms CPU,"
                  f" {trainer_host['kernel_calls']} kernel calls); the median step is {med / th:.1f}x that: "
                  + ("bound by the host" if med / th < 1.3 else "bound by the GPU (or by input)"))
    inp = (done or {}).get("input")
    if inp:
        print(f"  fed vs consumed: augmentation made {inp['augment_views_per_s']:,} views/s on {inp['threads']} thread{'' if inp['threads'] == 1 else 's'}, training took {inp['train_views_per_s']:,} views/s;"
              f" waited for input {100 * inp['wait_fraction']:.1f}% of the time ({inp['steps']} steps)")
    elif done is None:
        print("  no done.json (timed out or failed: see paper-run.log)")
tj = [r for r in jl("webgpu-step-tfjs.jsonl") if "error" not in r]
if tj and web.get(lo, {}).get("ms_per_step_pipelined"):
    t = tj[-1]
    print(f"2x{lo} with tfjs-webgpu's own kernels (ours off): {t['ms_per_step_pipelined']} ms/step pipelined"
          f" vs {web[lo]['ms_per_step_pipelined']} ms with ours ({t['ms_per_step_pipelined'] / web[lo]['ms_per_step_pipelined']:.2f}x)")
    # Kernel by kernel (GPU time in one profiled step): the convolution gradients keep their
    # names; ours for batch norm and the optimiser replace many small tfjs kernels.
    ours_p = {p["kernel"]: p for p in web[lo].get("profile") or []}
    tfjs_p = {p["kernel"]: p for p in t.get("profile") or []}
    if ours_p and tfjs_p:
        same = [k for k in ("Conv2DBackpropFilter", "Conv2DBackpropInput", "Conv2D") if k in ours_p and k in tfjs_p]
        print("  by kernel, ours vs tfjs's: " + ", ".join(f"{k} {ours_p[k]['ms']:.1f} vs {tfjs_p[k]['ms']:.1f} ms" for k in same)
              + f"; all kernels {sum(p['ms'] for p in ours_p.values()):.1f} ms ({sum(p['calls'] for p in ours_p.values())})"
              f" vs {sum(p['ms'] for p in tfjs_p.values()):.1f} ms ({sum(p['calls'] for p in tfjs_p.values())} kernels)")
elif tj:
    print("tfjs-kernels comparison: the 2x%d step with ours did not run, nothing to compare (%s ms/step pipelined with tfjs's)" % (lo, tj[-1]["ms_per_step_pipelined"]))
else:
    print("tfjs-kernels comparison: " + (jl("webgpu-step-tfjs.jsonl") and jl("webgpu-step-tfjs.jsonl")[-1].get("error", "?") or "not run"))
# Parity (bench/gpu-parity.adainf): the same steps on webgpu and on wasm, point by point.
par = jl("parity.log")
ph = next((r["parity"] for r in par if "parity" in r), None)
if ph is None:
    print("parity (webgpu vs wasm, same steps): not run")
else:
    rows = {(r["backend"], r["point"]): r for r in par if "backend" in r}
    points = sorted({p for (_, p) in rows}, key=lambda p: (p != "case=resnet18", p))
    print(f"parity, the same steps on webgpu and on wasm ({ph['pipeline']}): webgpu rc {ph['webgpu_rc']}, wasm rc {ph['wasm_rc']}")
    for p in points:
        g, c = rows.get(("webgpu", p)), rows.get(("wasm", p))
        if not g or not c:
            print(f"  {p}: only on {'webgpu' if g else 'wasm'}"); continue
        n = min(len(g["losses"]), len(c["losses"]))
        d = max((abs(a - b) / max(1.0, abs(b)) for a, b in zip(g["losses"][:n], c["losses"][:n])), default=float("nan"))
        fin = lambda r, k: ((r.get("done") or {}).get("final") or {}).get(k)
        figs = ", ".join(f"{k} {fin(g, k)} vs {fin(c, k)}" for k in ("knn_acc1", "val_acc1") if fin(c, k) is not None)
        same = n > 0 and len(g["losses"]) == len(c["losses"]) and d <= 1e-3
        print(f"  {p:<18} {n} steps, largest loss difference {d:.2g} (relative): {'SAME' if same else 'DIFFERENT'}; {figs or 'no final figures'}")
fl = jl("webgpu-flags.jsonl")
if fl:
    base = next((r for r in fl if r.get("config") == "default" and "error" not in r), None)
    print(f"tfjs flags on the 2x{lo} step ({len(fl)} sets, one process; pipelined ms/step, against the first 'default'):")
    for r in fl:
        if "error" in r:
            print(f"  {r['config']:<48} error: {r['error'][:80]}"); continue
        rel = f"{r['ms_per_step_pipelined'] / base['ms_per_step_pipelined']:.2f}x" if base else "-"
        print(f"  {r['config']:<48} {r['ms_per_step_pipelined']:>9.1f} ms {rel:>7}  (first step {r['first_step_ms']:.0f} ms)")
else:
    print("tfjs flag sweep: not run")
cpu = jl("cpu-step.jsonl")
ct = next((r for r in cpu if r.get("bench") == "gpu_step"), None)
cw = next((r for r in cpu if r.get("ms_per_step_median") is not None), None)
if ct or cw:
    fmt = lambda x: f"{x:.0f} ms" if x is not None else "did not run"
    wp = cw and cw.get("ms_per_step_pipelined")
    wasm = f"{fmt(wp)} pipelined ({(cw.get('backend') or '').split(' (skipped')[0]})" if cw else fmt(None)
    torch_cpu = f"({ct.get('gpu')}) {fmt(ct.get('ms_per_step'))}" if ct else fmt(None)
    print(f"CPU, the same ResNet-18 step at 2x{(ct or cw).get('batch_per_view')} views: wasm {wasm}, PyTorch CPU {torch_cpu}"
          + (f": {wp / ct['ms_per_step']:.2f}x" if wp and ct else ""))
else:
    print("CPU step: not run")
try:
    qs = [json.loads(l) for l in open(os.path.join(out, "quickstart.log")) if l.startswith('{"rc"')][-1]
    print(f"quickstart on webgpu: rc {qs['rc']}, {float(qs['wall_s']):.1f} s wall ({qs['pipeline']}); generate: {qs['generate']}")
except Exception as e:
    print(f"quickstart: no result ({e})")
print("files in $OUT: " + ", ".join(sorted(set(os.listdir(out)) | {"summary.txt"})))
EOF
log "done"
} 2>&1 | tee "$OUT/gpu-check.log"
