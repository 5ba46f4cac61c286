#!/usr/bin/env bash
# Publishes the node engine as a native executable (Native AOT): artifacts/canopy-node/linux-<arch>/canopy-node, with the
# wasm runtime's host next to it (canopy-wasm, native too, and Wasmtime's libwasmtime.so), where the node engine looks for it.
#   scripts/publish-node.sh [x64|arm64] [--out DIR]
# Any trimming or AOT warning fails the publish (warnings are errors). x64 builds natively here; arm64 is cross-compiled
# with clang and lld against Debian's arm64 cross toolchain (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross), installed when missing.
# Copy the result next to `canopy` (e.g. artifacts/canopy/) and `canopy node` runs it instead of the JIT node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-x64}"
case "$arch" in
  x64|arm64) ;;
  *) echo "publish-node.sh: unknown architecture '$arch'; use x64 or arm64" >&2; exit 2 ;;
esac
out="$here/artifacts/canopy-node/linux-$arch"
if [ "${2:-}" = "--out" ] && [ -n "${3:-}" ]; then out="$3"; fi

need=()
command -v clang-14 >/dev/null || command -v clang >/dev/null || need+=(clang-14)
if [ "$arch" = arm64 ]; then
  command -v ld.lld-14 >/dev/null || command -v ld.lld >/dev/null || need+=(lld-14)
  [ -d /usr/aarch64-linux-gnu/lib ] || need+=(libc6-dev-arm64-cross)
  command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "publish-node.sh: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

clang="$(command -v clang || command -v clang-14)"
args=(-c Release -r "linux-$arch" -o "$out" -nologo -p:CppCompilerAndLinker="$clang")
if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ]; then
  # Cross-compiling: clang --target=aarch64-linux-gnu finds Debian's cross gcc and libc by itself, lld links (GNU ld cannot
  # link another CPU's code). No SysRoot: Debian's cross libc.so names its libraries by absolute paths, which lld would
  # look for inside the sysroot a second time.
  lld="$(command -v ld.lld || command -v ld.lld-14)"
  args+=(-p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy)
  export PATH="$(dirname "$lld"):$PATH"
  [ -e "$(dirname "$lld")/ld.lld" ] || { mkdir -p "$here/artifacts/.toolchain"; ln -sf "$lld" "$here/artifacts/.toolchain/ld.lld"; export PATH="$here/artifacts/.toolchain:$PATH"; }
fi
dotnet publish "$here/src/Canopy.Node/Canopy.Node.csproj" "${args[@]}"
dotnet publish "$here/src/Canopy.WasmHost/Canopy.WasmHost.csproj" "${args[@]}" -p:PublishAot=true
rm -f "$out"/*.pdb  # managed symbols mean nothing to a native executable; canopy-node.dbg has its native ones
echo "$out/canopy-node"
