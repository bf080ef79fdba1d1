#!/usr/bin/env bash
# Installs the DuckDB library the columnar engine loads (target/duckdb/libduckdb.so, Linux x86-64, glibc): DuckDB's
# own prebuilt C library as the DuckDB project publishes it in the npm registry (@duckdb/node-bindings-linux-x64,
# MIT), pinned by version and SHA-256. Prints the library's path. Does nothing when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.5.6-r.1
sha256=1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff
dir=target/duckdb
if [ -f "$dir/$version" ] && [ -f "$dir/libduckdb.so" ]; then
    echo "$PWD/$dir/libduckdb.so"
    exit 0
fi
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
url="https://registry.npmjs.org/@duckdb/node-bindings-linux-x64/-/node-bindings-linux-x64-$version.tgz"
echo "installing DuckDB $version (libduckdb.so) from $url" >&2
curl -sSfL --retry 3 -o "$tmp/duckdb.tgz" "$url"
echo "$sha256  $tmp/duckdb.tgz" | sha256sum --check --quiet
tar -xzf "$tmp/duckdb.tgz" -C "$tmp" package/libduckdb.so package/LICENSE
mv "$tmp/package/libduckdb.so" "$dir/libduckdb.so.part"
mv "$tmp/package/LICENSE" "$dir/LICENSE"
mv "$dir/libduckdb.so.part" "$dir/libduckdb.so"
touch "$dir/$version"
echo "$PWD/$dir/libduckdb.so"
