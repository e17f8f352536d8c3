# Sourced by the scripts: puts the pinned wasm-opt first on PATH.
export PATH="${AGENTE_TOOLS_DIR:-$HOME/.cache/agente/tools}/node_modules/.bin:$HOME/.cargo/bin:$PATH"
