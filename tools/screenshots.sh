#!/usr/bin/env bash
# The README's screenshots of the audit page, in English and in Chinese: one demo
# server (`serve --demo` on a free port, a scratch data directory), one member's page
# (?lang=en, ?lang=zh-CN) in headless Chromium at 1200×900, written to
# docs/screenshots/audit-page.en.png and audit-page.zh-CN.png.
#
#   tools/screenshots.sh [MEMBER_ID]      (default: the demo's Zhao)
#
# Needs Debian's chromium and fonts-noto-cjk (the Chinese page's Han characters):
#   apt-get install -y chromium fonts-noto-cjk
# Uses the debug build (`cargo build --bin flexledger`), as the tests do.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly MEMBER=${1:-826711ec-7418-56f6-92df-8cb182127a27}
readonly CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
readonly WINDOW_SIZE=1200,900
readonly SERVER_START_SECONDS_MAX=30
readonly OUT=docs/screenshots

[ -x "$CHROMIUM" ] || { echo "$CHROMIUM is missing: apt-get install -y chromium" >&2; exit 2; }
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" \
  || { echo "no CJK font: apt-get install -y fonts-noto-cjk" >&2; exit 2; }

cargo build --locked --quiet --bin flexledger
binary=${CARGO_TARGET_DIR:-target}/debug/flexledger

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

: >"$work/stdout"
"$binary" --data-dir "$work/data" serve --demo --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
server=$!
# The first line is the address; then one token per role.
for _ in $(seq $((SERVER_START_SECONDS_MAX * 10))); do
  [ "$(wc -l <"$work/stdout")" -ge 4 ] && break
  sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$work/stdout")
token=$(sed -n 's/^auditor token: //p' "$work/stdout")
if [ -z "$base" ] || [ -z "$token" ]; then
  echo "the demo server did not start:" >&2
  cat "$work/stdout" "$work/stderr" >&2
  exit 1
fi

mkdir -p "$OUT"
for language in en zh-CN; do
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$language" \
    --window-size="$WINDOW_SIZE" --screenshot="$OUT/audit-page.$language.png" \
    "$base/audit/members/$MEMBER?lang=$language&access_token=$token" 2>/dev/null
  echo "$OUT/audit-page.$language.png: $(wc -c <"$OUT/audit-page.$language.png") bytes"
done
