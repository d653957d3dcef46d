#!/usr/bin/env bash
# Runs the benchmark on a machine prepared by scripts/device-kit.sh (the `device` tool's GPU
# machines: no Node, no network): unpacks the kit, installs the Vulkan loader from its .deb if the
# machine has none, points the loader at the NVIDIA driver where one is mounted, then runs
# `midstep bench` on the adapter it finds (never SwiftShader: MIDSTEP_REQUIRE_HARDWARE=1) and
# writes the results and the log to $OUT (default bench/results/device-run).
#   bash scripts/device-bench.sh [extra midstep bench flags]
# The default grid fits a few minutes: the micro-benchmarks, the mixture score at d = 16, 64,
# 256, 784 (P = 1e5 x 64 / d), and ddim, dpmpp-2m, randomized-midpoint, heroism at d = 64, 784,
# P = 1e4 and 1e6.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/results/device-run}
mkdir -p "$out"
log="$out/device-bench.log"
exec > >(tee "$log") 2>&1

if [ ! -x node_modules/.bin/tsx ] && [ -f .devkit/kit.tar.xz ]; then
  tar -xJf .devkit/kit.tar.xz -C . && echo "kit unpacked"
fi
export PATH="$PWD/bin:$PATH:/usr/sbin:/sbin"
node=node
[ -x "$PWD/bin/node" ] && node="$PWD/bin/node"
has_vulkan() {
  [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ] || ldconfig -p 2>/dev/null | grep -q libvulkan.so.1
}
if ! has_vulkan; then
  for f in .devkit/deb/*.deb; do [ -f "$f" ] && dpkg -x "$f" / && echo "installed $(basename "$f")"; done
  ldconfig 2>/dev/null || true
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && [ -z "${VK_ICD_FILENAMES:-}" ] && export VK_DRIVER_FILES="$icd"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$node" --version

export MIDSTEP_REQUIRE_HARDWARE=${MIDSTEP_REQUIRE_HARDWARE:-1}
if [ $# -eq 0 ]; then
  set -- --samplers ddim,dpmpp-2m,randomized-midpoint,heroism --dims 64,784 --particles 10000,1000000 \
    --score-dims 16,64,256,784 --runs 3 --cpu-particles 300 --max-case-seconds 60
fi
"$node" bin/midstep.mjs bench "$@" --out "$out"
status=$?
echo "midstep bench exited with $status"
exit $status
