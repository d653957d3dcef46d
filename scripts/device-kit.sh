#!/usr/bin/env bash
# Packs what `midstep bench` needs on a machine with nothing installed and no network (the GPU
# machines of the `device` tool): this machine's Node binary, the runtime packages (webgpu with
# only its linux-x64 Dawn, tsx and esbuild, wgsl-preprocessor, debug / ms) and, with --vulkan, the
# Debian packages of the Vulkan loader (apt-get download, as the device notes describe). Writes
# .devkit/ (ignored by git: add `/.devkit/` to .git/info/exclude), about 35 MB; name `.devkit` in
# the run's `carry`, and run scripts/device-bench.sh there.
#   bash scripts/device-kit.sh [--vulkan]
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.devkit
rm -rf "$kit" && mkdir -p "$kit"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/node_modules"
cp "$(readlink -f "$(command -v node)")" "$stage/bin/node"
for p in tsx esbuild @esbuild/linux-x64 wgsl-preprocessor debug ms; do
  mkdir -p "$stage/node_modules/$(dirname "$p")"
  cp -r "node_modules/$p" "$stage/node_modules/$p"
done
mkdir -p "$stage/node_modules/webgpu/dist"
cp node_modules/webgpu/{package.json,index.js,types.d.ts} "$stage/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$stage/node_modules/webgpu/dist/"
tar -cJf "$kit/kit.tar.xz" -C "$stage" bin node_modules

if [ "${1:-}" = "--vulkan" ]; then
  mkdir -p "$kit/deb" /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq && (cd "$kit/deb" && apt-get $o download libvulkan1 >/dev/null)
fi
grep -qx '/.devkit/' .git/info/exclude 2>/dev/null || echo '/.devkit/' >> .git/info/exclude
du -sh "$kit"
