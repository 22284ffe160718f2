#!/bin/sh
# Installs the ivpm binary for this machine from a GitHub release, verified against the release's SHA256SUMS.
#
#   curl -fsSL https://github.com/ivpm-dev/ivpm/releases/latest/download/install.sh | sh
#
# Settings (environment variables):
#   IVPM_VERSION       release tag to install, e.g. v0.2.0 (default: the latest release)
#   IVPM_INSTALL       directory to install into (default: ~/.local/bin)
#   IVPM_REPO          GitHub repository holding the releases (default: ivpm-dev/ivpm)
#   IVPM_DOWNLOAD_URL  base URL of the release assets (overrides IVPM_REPO/IVPM_VERSION; mirrors, tests)
set -eu

repo="${IVPM_REPO:-ivpm-dev/ivpm}"
version="${IVPM_VERSION:-latest}"
dest="${IVPM_INSTALL:-$HOME/.local/bin}"

fail() {
  echo "ivpm install: error: $1" >&2
  [ $# -gt 1 ] && echo "hint: $2" >&2
  exit 1
}

os="$(uname -s)"
arch="$(uname -m)"
case "$os" in
  Linux) os_part="unknown-linux-gnu" ;;
  Darwin) os_part="apple-darwin" ;;
  *) fail "no ivpm binary for $os" "on Windows use install.ps1; elsewhere run ivpm from source (see README.md)" ;;
esac
case "$arch" in
  x86_64 | amd64) arch_part="x86_64" ;;
  aarch64 | arm64) arch_part="aarch64" ;;
  *) fail "no ivpm binary for the $arch architecture" "run ivpm from source (see README.md)" ;;
esac
asset="ivpm-${arch_part}-${os_part}"

if [ -n "${IVPM_DOWNLOAD_URL:-}" ]; then
  base="${IVPM_DOWNLOAD_URL%/}"
elif [ "$version" = "latest" ]; then
  base="https://github.com/${repo}/releases/latest/download"
else
  base="https://github.com/${repo}/releases/download/${version}"
fi

fetch() { # url file
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed" "install one of them and run this again"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "no sha256sum or shasum to verify the download" "install coreutils and run this again"
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "ivpm install: downloading ${asset} from ${base}" >&2
fetch "${base}/${asset}" "$tmp/$asset" || fail "could not download ${base}/${asset}" \
  "check IVPM_VERSION (a release tag such as v0.2.0) and your network or proxy"
fetch "${base}/SHA256SUMS" "$tmp/SHA256SUMS" || fail "could not download ${base}/SHA256SUMS"

expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$expected" ] || fail "SHA256SUMS lists no checksum for ${asset}"
actual="$(sha256 "$tmp/$asset")"
if [ "$expected" != "$actual" ]; then
  fail "checksum mismatch for ${asset} (expected ${expected}, got ${actual}); nothing was installed" \
    "the download was corrupted or tampered with; try again, or report it if it persists"
fi

mkdir -p "$dest"
chmod +x "$tmp/$asset"
mv -f "$tmp/$asset" "$dest/ivpm"
echo "ivpm install: installed $dest/ivpm" >&2

case ":${PATH}:" in
  *":${dest}:"*) ;;
  *)
    echo "ivpm install: $dest is not on your PATH. Add it, e.g. to ~/.bashrc or ~/.zshrc:" >&2
    echo "  export PATH=\"$dest:\$PATH\"" >&2
    ;;
esac
