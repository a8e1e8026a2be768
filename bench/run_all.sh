#!/usr/bin/env bash
# Run every benchmark in sequence, printing each table (the figures in BENCHMARKS.md).
#   bench/run_all.sh            # everything, about 25-35 minutes on 2 cores
#   PYTHON=.venv/bin/python bench/run_all.sh
#   FUZZ_EXAMPLES=10000 bench/run_all.sh   # the long fuzz variant at the end (default 5000)
# All traffic goes to stub servers on 127.0.0.1. A failing benchmark is reported, the rest run.
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=.venv/bin/python
PYTEST="$(dirname "$PYTHON")/pytest"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
failed=()

run() {
  echo
  echo "=== $* ==="
  local started=$SECONDS
  if "$@"; then
    echo "--- done in $((SECONDS - started)) s"
  else
    echo "--- FAILED (exit $?) after $((SECONDS - started)) s"
    failed+=("$*")
  fi
}

echo "Refinery benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $($PYTHON --version), load $(cut -d' ' -f1-3 /proc/loadavg)"

run "$PYTHON" bench/rules_bench.py --items 100000
run "$PYTHON" bench/check_bench.py --items 100000
run "$PYTHON" bench/jira_bench.py --issues 10000 --delay 0.05
run "$PYTHON" bench/github_bench.py --issues 10000 --latency 0.05
run "$PYTHON" bench/digest_bench.py --items 100000
run "$PYTHON" bench/slack_ack_bench.py --items 50000 --requests 500 --concurrency 50
run "$PYTHON" bench/slack_ack_bench.py --items 50000 --requests 200 --concurrency 20
run "$PYTHON" bench/storms.py --issues 2000 --jira-rate 10
run "$PYTHON" bench/kill_sync.py --issues 3000 --points 20
run env REFINERY_FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-5000}" "$PYTEST" -q -p no:cacheprovider tests/fuzz tests/faults

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "All benchmarks ran."
else
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
