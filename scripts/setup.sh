#!/usr/bin/env bash
# Installs what building and testing Agente needs, idempotently: the wasm32 target, pinned
# cargo-leptos and wasm-bindgen-cli, wasm-opt from npm's binaryen (Debian's breaks
# hydration), and with --test also Chromium and the browser-test packages.
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
BINARYEN_VERSION=132.0.0   # wasm-opt reports only the major: 132
TOOLS_DIR=${AGENTE_TOOLS_DIR:-$HOME/.cache/agente/tools}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile wants a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "$("$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  npm install --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian package) for browser tests"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # Again whenever the lockfile changed since the last install (a stamp of its hash).
  lock_hash=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
  if [ "$(cat end2end/node_modules/.agente-lock 2>/dev/null)" != "$lock_hash" ]; then
    say "installing browser-test packages (Playwright without browsers, axe)"
    (cd end2end && npm ci --no-audit --no-fund >/dev/null)
    echo "$lock_hash" >end2end/node_modules/.agente-lock
  fi
  # The SMTP sink the e-mail sender's tests deliver to.
  if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    say "installing aiosmtpd (PyPI) for the e-mail tests"
    python3 -m pip install -q --disable-pip-version-check aiosmtpd==1.4.6 2>/dev/null ||
      python3 -m pip install -q --disable-pip-version-check --break-system-packages aiosmtpd==1.4.6
  fi
  # localstripe: a local server speaking (an old version of) Stripe's API, for billing tests.
  LOCALSTRIPE_VENV=${AGENTE_TOOLS_DIR:-$HOME/.cache/agente/tools}/localstripe-venv
  if ! "$LOCALSTRIPE_VENV/bin/python" -c "import localstripe" 2>/dev/null; then
    say "installing localstripe (PyPI) for the billing tests"
    python3 -m venv "$LOCALSTRIPE_VENV"
    "$LOCALSTRIPE_VENV/bin/pip" install -q --disable-pip-version-check localstripe==1.15.10
  fi
  # Schemathesis: the API conformance run (scripts/api_conformance.sh).
  SCHEMATHESIS_VENV=${AGENTE_TOOLS_DIR:-$HOME/.cache/agente/tools}/schemathesis-venv
  if [ "$("$SCHEMATHESIS_VENV/bin/st" --version 2>/dev/null | awk '{print $3}')" != "4.32.5" ]; then
    say "installing schemathesis (PyPI) for the API conformance run"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/pip" install -q --disable-pip-version-check schemathesis==4.32.5
  fi
  # cargo-fuzz (the fuzz targets' short CI run) and cargo-deny (licences, bans, sources).
  command -v cargo-fuzz >/dev/null || { say "installing cargo-fuzz"; cargo install cargo-fuzz --locked; }
  command -v cargo-deny >/dev/null || { say "installing cargo-deny"; cargo install cargo-deny --locked; }
  command -v openssl >/dev/null || {
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get install -y -qq openssl >/dev/null
  }
fi
