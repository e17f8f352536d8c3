#!/usr/bin/env bash
# Runs every test: formatting and lints; unit and integration tests on SQLite and on
# Postgres + Redis; then the browser tests (Playwright + Chromium) against a release build.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379,
# or AGENTE_TEST_POSTGRES_URL / AGENTE_TEST_REDIS_URL pointing elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh

export AGENTE_TEST_POSTGRES_URL=${AGENTE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export AGENTE_TEST_REDIS_URL=${AGENTE_TEST_REDIS_URL:-redis://127.0.0.1:6379}
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
pg_hostport=$(echo "$AGENTE_TEST_POSTGRES_URL" | sed -E 's|.*@([^/:]+):?([0-9]*)/.*|\1 \2|')
read -r pg_host pg_port <<<"$pg_hostport"
port_open "$pg_host" "${pg_port:-5432}" || { echo "PostgreSQL is not reachable at $pg_host:${pg_port:-5432}" >&2; exit 1; }
redis_hostport=$(echo "$AGENTE_TEST_REDIS_URL" | sed -E 's|redis://([^/:]+):?([0-9]*).*|\1 \2|')
read -r redis_host redis_port <<<"$redis_hostport"
port_open "$redis_host" "${redis_port:-6379}" || { echo "Redis is not reachable at $redis_host:${redis_port:-6379}" >&2; exit 1; }

# localstripe on a free local port (upstream binds every interface; this binds loopback),
# its state in a temporary directory; stopped when the tests end.
localstripe_dir=$(mktemp -d)
localstripe_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$localstripe_dir" && exec "${AGENTE_TOOLS_DIR:-$HOME/.cache/agente/tools}/localstripe-venv/bin/python" -c \
  "from aiohttp import web; from localstripe.server import app; web.run_app(app, host='127.0.0.1', port=$localstripe_port, print=None)" \
  >"$localstripe_dir/log" 2>&1) &
localstripe_pid=$!
stop_localstripe() { kill "$localstripe_pid" 2>/dev/null || true; rm -rf "$localstripe_dir"; }
trap stop_localstripe EXIT
for _ in $(seq 1 100); do port_open 127.0.0.1 "$localstripe_port" && break; sleep 0.1; done
port_open 127.0.0.1 "$localstripe_port" || { cat "$localstripe_dir/log" >&2; exit 1; }
export AGENTE_TEST_LOCALSTRIPE_URL="http://127.0.0.1:$localstripe_port"

# Tests create one Postgres database each and leave it; drop them before and after a run.
drop_test_databases() {
  command -v psql >/dev/null || return 0
  psql "$AGENTE_TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'agente_test_%'" 2>/dev/null |
    while read -r db; do psql "$AGENTE_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
}
drop_test_databases

say "format, lints, licences and duplicate crates"
# Every crate but the browser bundle (`agente-frontend` turns on the app's `hydrate`, which
# cannot share a build with the server's `ssr`).
packages=(-p agente-core -p agente-store -p agente-network -p agente-auth -p agente-workflow-model -p agente-editor -p agente-engine -p agente-workflows -p agente-events -p agente-jobs -p agente-notify -p agente-billing -p agente-ai -p agente-app -p agente-server)
cargo fmt --all -- --check
# Licences, second versions of crates, sources (advisories need GitHub: see deny.toml).
cargo deny --log-level error check licenses bans sources
cargo clippy "${packages[@]}" --all-targets -- -D warnings
# The browser bundle, the workflow model and the editor's commands must build for wasm32.
cargo clippy -p agente-frontend -p agente-workflow-model -p agente-editor --target wasm32-unknown-unknown -- -D warnings

say "unit and integration tests (SQLite, Postgres, Redis)"
cargo test "${packages[@]}"

drop_test_databases

say "release build"
cargo leptos build --release --precompress --split

say "browser tests"
data_dir=$(mktemp -d)
port=${AGENTE_E2E_PORT:-3100}
# A model server stand-in (end2end/fake_llm.py) so the assistant streams a real answer.
llm_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 end2end/fake_llm.py "$llm_port" >"$data_dir/llm.log" 2>&1 &
llm=$!
OPENAI_BASE_URL="http://127.0.0.1:$llm_port/v1" AGENTE_OPENAI_MODEL=e2e-model \
  "${CARGO_TARGET_DIR:-target}/release/agente" serve --addr "127.0.0.1:$port" --data-dir "$data_dir" >"$data_dir/server.log" 2>&1 &
server=$!
trap 'kill $server $llm 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data_dir"; stop_localstripe' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$data_dir/server.log"; exit 1; }
  sleep 0.1
done
# The installation's first account is its operator: sign one up before any test does.
operator_email="operator-$(date +%s)@example.test"
operator_password="operator password $RANDOM$RANDOM"
curl -fsS -o /dev/null -H 'content-type: application/json' \
  -d "{\"email\":\"$operator_email\",\"password\":\"$operator_password\",\"tenant_name\":\"Operators\"}" \
  "http://127.0.0.1:$port/api/v1/auth/signup"
(cd end2end && AGENTE_E2E_URL="http://127.0.0.1:$port" AGENTE_E2E_OPERATOR_EMAIL="$operator_email" \
  AGENTE_E2E_OPERATOR_PASSWORD="$operator_password" npx playwright test) || { tail -50 "$data_dir/server.log"; exit 1; }

say "API conformance (schemathesis, short run)"
scripts/api_conformance.sh "http://127.0.0.1:$port" 60 || { tail -50 "$data_dir/server.log"; exit 1; }

say "fuzzing (import, expressions, settings; 30 s each, fixed seed)"
bench/fuzz.sh 30 --ci
