#!/usr/bin/env bash
# The project's entry point. It creates the virtual environment .venv with the pinned
# packages of pyproject.toml on first use (and again when pyproject.toml changes), then:
#   bash run.sh figures [SCALE] [SNAKEMAKE ARGS...]   Table I and Figures 4-6 under figures/SCALE
#   bash run.sh test [PYTEST ARGS...]                 the whole test suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
VENV=${AICC_VENV:-.venv}

ensure_venv() {
    local stamp="$VENV/.aicc-installed" wanted
    wanted=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest()[:16])')
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return
    fi
    echo "run.sh: installing the pinned packages into $VENV (about a minute, once)" >&2
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 without python3-venv: fall back to virtualenv from PyPI.
        python3 -m pip install --user --quiet virtualenv
        python3 -m virtualenv --quiet "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[workflow,test]"
    echo "$wanted" > "$stamp"
}

# Sets SNAKEMAKE_ARGS to the given arguments with scale=SCALE added to the user's
# --config entries, or as a --config of its own placed last: Snakemake's --config takes
# every word up to the next option, so targets after it would be read as config entries.
add_scale() {
    local scale=$1 arg added=0
    shift
    SNAKEMAKE_ARGS=()
    for arg in "$@"; do
        SNAKEMAKE_ARGS+=("$arg")
        if [[ "$arg" == --config && $added == 0 ]]; then
            SNAKEMAKE_ARGS+=("scale=$scale")
            added=1
        fi
    done
    if [[ $added == 0 ]]; then
        SNAKEMAKE_ARGS+=(--config "scale=$scale")
    fi
}

usage() {
    sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

command=${1:-}
[[ $# -gt 0 ]] && shift
case "$command" in
    figures)
        scale=${1:-default}
        [[ $# -gt 0 ]] && shift
        ensure_venv
        export PATH="$(cd "$VENV/bin" && pwd):$PATH"
        add_scale "$scale" "$@"
        exec snakemake --cores "${AICC_CORES:-all}" "${SNAKEMAKE_ARGS[@]}"
        ;;
    test)
        ensure_venv
        export PATH="$(cd "$VENV/bin" && pwd):$PATH"
        exec python -m pytest "$@"
        ;;
    *)
        usage
        ;;
esac
