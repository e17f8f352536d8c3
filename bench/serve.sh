# Sourced by the benches: starts the release server on 127.0.0.1:$port with a fresh data
# directory, stops it and removes the directory on exit, and returns once it answers.
# Usage: port=NNNN; source bench/serve.sh
bin="${CARGO_TARGET_DIR:-target}/release/agente"
data=$(mktemp -d)
"$bin" serve --addr "127.0.0.1:$port" --data-dir "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.1
done
