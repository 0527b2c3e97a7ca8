#!/usr/bin/env bash
# Install size and dependency count of the packed package in a fresh project, with and without
# the optional native secp256k1. `npm run bench:package`
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
npm pack --silent --pack-destination "$dir" >/dev/null
tgz="$(ls "$dir"/*.tgz)"
echo "| install | tarball | node_modules | packages | largest |"
echo "|---|---:|---:|---:|---|"
for mode in default omit-optional; do
  app="$dir/$mode"
  mkdir -p "$app"
  (cd "$app" && echo '{"name":"consumer","private":true,"type":"module"}' > package.json)
  flags=(--no-audit --no-fund --silent)
  [ "$mode" = omit-optional ] && flags+=(--omit=optional)
  (cd "$app" && npm install "$tgz" "${flags[@]}" >/dev/null 2>&1)
  size=$(du -sm "$app/node_modules" | cut -f1)
  count=$(find "$app/node_modules" -name package.json -not -path "*/node_modules/*/node_modules/*/node_modules/*" | xargs grep -l '"version"' | xargs -n1 dirname | grep -E 'node_modules/(@[^/]+/)?[^/@]+$' | sort -u | wc -l)
  largest=$(cd "$app/node_modules" && du -sm -- * @*/* 2>/dev/null | grep -v '^[0-9]*\s@[^/]*$' | sort -rn | head -4 | awk '{printf "%s %s MB, ", $2, $1}')
  echo "| $mode | $(( $(stat -c %s "$tgz") / 1024 )) KiB | ${size} MB | ${count} | ${largest%, } |"
done
