#!/usr/bin/env bash
# Captures the dashboard of a running cluster to a PNG with headless Chromium (Debian's /usr/bin/chromium).
#   docs/screenshot.sh [URL] [OUT] [WIDTHxHEIGHT]
#     URL   default http://127.0.0.1:9090/dashboard (the silo of ./run.sh)
#     OUT   default docs/dashboard.png
#     SIZE  default 1280x1000 (CSS pixels; the window is the picture)
# Start the cluster first (./run.sh), keep traffic flowing (while ./run.sh demo; do :; done), then run this.
# The page polls the JSON API every second; Chromium is given a few seconds of page time before the shot
# and the result is checked to be a PNG of the requested size.
set -euo pipefail
cd "$(dirname "$0")/.."

url=${1:-http://127.0.0.1:9090/dashboard}
out=${2:-docs/dashboard.png}
size=${3:-1280x1000}
[[ "$size" =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "screenshot.sh: size must be WIDTHxHEIGHT, got '$size'" >&2; exit 2; }
width=${BASH_REMATCH[1]}; height=${BASH_REMATCH[2]}
chromium=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$chromium" ]] || { echo "screenshot.sh: $chromium not found; apt-get install -y chromium" >&2; exit 1; }
curl -fsS -o /dev/null --max-time 3 "$url" || { echo "screenshot.sh: nothing answers at $url; start ./run.sh first" >&2; exit 1; }

profile=$(mktemp -d /tmp/granary-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
# --virtual-time-budget: page time (ms) Chromium lets pass (timers, fetches) before it shoots.
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --no-first-run --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$profile" \
  --window-size="$width,$height" --virtual-time-budget=5000 --screenshot="$(realpath -m "$out")" "$url" \
  >"$profile/chromium.log" 2>&1 || { cat "$profile/chromium.log" >&2; exit 1; }

python3 - "$out" "$width" "$height" <<'PY'
import struct, sys
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
head = open(path, 'rb').read(24)
assert head[:8] == b'\x89PNG\r\n\x1a\n', f'{path} is not a PNG'
pw, ph = struct.unpack('>II', head[16:24])
assert (pw, ph) == (w, h), f'{path} is {pw}x{ph}, expected {w}x{h}'
print(f'{path}: {pw}x{ph} PNG')
PY
