#!/usr/bin/env bash
# Idempotent set-up of .venv with everything the engine, the simulator, the
# metrics and the tests need.  Re-running it is cheap: a stamp file records
# the hash of the inputs that decide what gets installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="${PYTHON:-python3}"

# Debian packages: espeak-ng gives the simulator real speech, libsndfile
# backs soundfile, chromium (headless) lets a test look at the listening page.
# Only when apt exists and something is missing.
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    missing=""
    command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    if [ -n "$missing" ]; then
        echo "[bootstrap] apt-get install$missing"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) \
            >/dev/null 2>&1 || echo "[bootstrap] warning: could not install$missing (without espeak-ng the simulator falls back to a procedural signal; without chromium the listening-page screenshot test skips)"
    fi
fi

[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
stamp="$venv/.audiogs-bootstrap"
want="$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
pip="$venv/bin/pip"
"$pip" install -q --upgrade pip
# torch is pinned: an unpinned torch pulls a multi-GB CUDA build here.
"$pip" install -q "torch==2.13.0"
"$pip" install -q -e ".[engine,sim,metrics,test]" "torch==2.13.0"
# slab carries the MIT KEMAR HRTF as data; its dependencies want a sound
# device, and the simulator reads the data file without importing slab.
"$pip" install -q --no-deps "slab==1.8.2"
echo "$want" > "$stamp"
echo "[bootstrap] .venv ready"
