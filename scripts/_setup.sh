# Shared by scripts/demo and scripts/test: a .venv with the package (editable) and its extras,
# the front end's node modules, and a fresh bundle. Usage: source scripts/_setup.sh EXTRAS
set -euo pipefail
extras="$1"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
export PATH="$PWD/.venv/bin:$PATH"
python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
(cd js && npm ci --no-audit --no-fund --loglevel=error)
# The editable install builds the bundle through hatch-jupyter-builder (npm run build).
python -m pip install --quiet -e ".[$extras]" 2>&1 | grep -v "is ignored" || true
python -c "import chatkit_widget" # fail here, clearly, if the install did not work
(cd js && npm run --silent build)
