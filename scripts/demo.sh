#!/usr/bin/env bash
# BenchBot demo: a sample C project; every way its commits reach the queue; then BenchBot builds
# and measures each queued commit, and runs the nightly cycle.
# Everything lives in ./demo (rebuilt on each run); nothing leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/run --install-only
echo "building BenchBot …"
swift build -q
bin="$(swift build --show-bin-path)/benchbot"
demo="$PWD/demo"
rm -rf "$demo" && mkdir -p "$demo"
export GIT_AUTHOR_NAME="Demo Dev" GIT_AUTHOR_EMAIL="dev@example.invalid"
export GIT_COMMITTER_NAME="Demo Dev" GIT_COMMITTER_EMAIL="dev@example.invalid"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
# Nothing is sent anywhere: without these, notifications are written to results/outbox/ instead.
unset BENCHBOT_SLACK_WEBHOOK_URL SLACK_BOT_TOKEN GITHUB_TOKEN

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "benchbot ${*}"; "$bin" "$@"; }

step "A sample project: a C program on a bare server repository, 10 commits"
git init -q --bare -b main "$demo/project.git"
git init -q -b main "$demo/work"
git -C "$demo/work" remote add origin "$demo/project.git"
cat > "$demo/work/loop.c" <<'C'
#include <stdio.h>
#include "iterations.h"
int main(void) {
    volatile unsigned long sum = 0;
    for (unsigned long i = 0; i < ITERATIONS; i++) sum += i;
    printf("%lu\n", (unsigned long)sum);
    return 0;
}
C
commit() {
    printf '#define ITERATIONS %sUL\n' "$1" > "$demo/work/iterations.h"
    git -C "$demo/work" add loop.c iterations.h
    git -C "$demo/work" commit -q -m "$2"
}
for i in $(seq 1 10); do commit "$((i * 1000000))" "Tune the loop, step $i"; done
git -C "$demo/work" push -q origin main
git -C "$demo/work" log --oneline -3; echo "…"

step "A BenchBot home for it (Relay Dashboard layout)"
run init --home "$demo/home" --repo "$demo/project.git" --branch main --build "cc -O1 -o loop loop.c"
# The sample experiment times workload.sh; here it times the project's own program.
printf '#!/bin/sh\n"$1/loop"\n' > "$demo/home/experiments/sample_timing/workload.sh"
# A second experiment needs no stage scripts: a command whose output BenchBot parses, 10 launches.
mkdir -p "$demo/home/config/experiments/loop_timing"
cat > "$demo/home/config/experiments/loop_timing/config.json" <<'JSON'
{
    "active": true,
    "title": "Loop timing",
    "command": ["sh", "-c", "start=$(date +%s%N); ./loop > /dev/null; end=$(date +%s%N); printf '{\"benchmarks\": [{\"name\": \"loop\", \"unit\": \"ns\", \"samples\": [%s]}]}' $((end - start))"],
    "format": "benchbot-json",
    "repeat": 10,
    "warmup": 1,
    "run_cpu_telemetry": true,
    "telemetry_rate": 1
}
JSON
# Who is told what: Slack and GitHub statuses (written to results/outbox/ here, as no credentials are
# set), and relay-bench's nightly Slack report, built in.
sed -i 's|^  "benchbot" : {|  "benchbot" : {\n    "notify": {"site_url": "http://localhost:8000", "slack": {"mentions": ["<@U0DEMO>"]}, "github": {"repository": "demo/project"}},|' \
    "$demo/home/config/config.json"
mkdir -p "$demo/home/config/subsystem/exp_results"
echo '{"active": true, "priority": -1, "slack_description": "Demo nightly run"}' > "$demo/home/config/subsystem/exp_results/config.json"
run check --home "$demo/home"

step "cron: the first poll queues the last 5 first-parent commits; a second poll finds nothing new"
run poll --home "$demo/home" --backfill 5
run poll --home "$demo/home"

step "The server's post-receive hook: a push of 3 commits queues exactly those 3"
run hook install --home "$demo/home" --repo "$demo/project.git"
for i in 11 12 13; do commit "$((i * 1000000))" "Tune the loop, step $i"; done
git -C "$demo/work" push origin main 2>&1 | grep benchbot

step "A new branch queues only its tip; an operator's range request queues nothing twice"
git -C "$demo/work" checkout -q -b faster-loop
commit 6500000 "Halve the loop"
commit 3250000 "Halve it again"
git -C "$demo/work" push -q origin faster-loop 2>&1 | grep benchbot
run enqueue --home "$demo/home" --range main~4..main

step "The queue"
run status --home "$demo/home"

step "The worker: check out, build with cc, run the Relay stages of each queued commit"
run work --home "$demo/home" --drain

step "The nightly cycle: back up, poll, drain, run the subsystems, back up again"
run run --home "$demo/home"

step "What the experiments left, laid out as the Relay Dashboard documents it"
(cd "$demo/home/results" && find experiments/status experiments/summary experiments/graph subsystem -type f | sort | sed 's/^/  results\//')
echo "  results/experiments/data/sample_timing/: $(ls "$demo/home/results/experiments/data/sample_timing" | wc -l) data.json files, one per commit"
echo "  loop_timing's latest summary: $(sed -n 's/.*"value" *: *"\(.*\)".*/\1/p' "$demo/home/results/experiments/summary/loop_timing/summary.json")"
run status --home "$demo/home" --limit 5

step "The tip's stored results, each with its noise summary"
run results --home "$demo/home" main

step "The tip against its baseline, the nearest measured first-parent ancestor (each commit lengthens the loop)"
run compare --home "$demo/home" main

step "Change points found in main's history, each once, at its first commit"
run changes --home "$demo/home"

step "What BenchBot would have told people: no credentials here, so each request body is in results/outbox/"
outbox="$demo/home/results/outbox"
ls "$outbox" | sed 's/^[0-9]*-//; s/\.json$//' | sort | uniq -c | sed 's/^/  /'
echo "  the latest Slack regression message: $(ls "$outbox"/*-slack-regression.json 2>/dev/null | sort -t- -k1,1n | tail -1)"
echo "  the nightly run report: $(ls "$outbox"/*-slack-run-report.json 2>/dev/null | tail -1)"
run status --home "$demo/home" --limit 0

step "The results site: an index, a page per benchmark with SVG plots, per commit and per comparison"
run site --home "$demo/home"
echo "  open file://$demo/home/results/subsystem/output/website/index.html, or serve that folder"

cat <<DONE

Everything is in $demo/home: the store (benchbot.sqlite), results/, logs/ and backups/.
Try: $bin enqueue --home $demo/home --commit main~9 && $bin work --home $demo/home
DONE
