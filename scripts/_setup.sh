# Shared by scripts/demo and scripts/test: a .venv with the package (editable) and its extras,
# the front end's node modules, and fresh bundles. Usage: source scripts/_setup.sh EXTRAS
set -euo pipefail
extras="$1"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
export PATH="$PWD/.venv/bin:$PATH"
# pip's "Location ... is ignored" noise is dropped; a failing pip still stops the script (pipefail).
quiet_pip() { python -m pip --quiet "$@" 2>&1 | { grep -v "is ignored" || true; }; }
quiet_pip install --upgrade pip
(cd js && npm ci --no-audit --no-fund --loglevel=error)
# The editable install builds the bundles through hatch-jupyter-builder (`npm run build` in js/:
# the anywidget ESM, the UI core library and the JupyterLab extension).
quiet_pip install -e ".[$extras]"
python -c "import chatkit_widget" # fail here, clearly, if the install did not work
# The install skips the build when the bundles exist (skip-if-exists): rebuild, never stale.
(cd js && npm run --silent build)
# What `jupyter labextension develop` does: JupyterLab loads the extension from the source tree,
# so a rebuild shows up on the next page load (the editable wheel only holds a copy).
labext=.venv/share/jupyter/labextensions/@chatkit-widget/jupyterlab
rm -rf "$labext"
mkdir -p "$(dirname "$labext")"
ln -s "$PWD/src/chatkit_widget/labextension" "$labext"
