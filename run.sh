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
        export PATH="$PWD/$VENV/bin:$PATH"
        exec snakemake --cores "${AICC_CORES:-all}" --config scale="$scale" "$@"
        ;;
    test)
        ensure_venv
        export PATH="$PWD/$VENV/bin:$PATH"
        exec python -m pytest "$@"
        ;;
    *)
        usage
        ;;
esac
