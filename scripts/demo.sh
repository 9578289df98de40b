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

step "A sample project: a C program on a bare server repository, 30 commits; two change its speed"
git init -q --bare -b main "$demo/project.git"
git init -q -b main "$demo/work"
git -C "$demo/work" remote add origin "$demo/project.git"
# With --bench it reports, as benchbot-json, the CPU time of each of 5 rounds of its loop, and the
# operations each did: a count that noise cannot move, as rustc-perf counts instructions.
cat > "$demo/work/loop.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "iterations.h"
static double cpu_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec * 1e9 + now.tv_nsec;
}
int main(int argc, char **argv) {
    volatile unsigned long sum = 0;
    if (argc < 2 || strcmp(argv[1], "--bench") != 0) {
        for (unsigned long i = 0; i < ITERATIONS; i++) sum += i;
        printf("%lu\n", (unsigned long)sum);
        return 0;
    }
    printf("{\"benchmarks\": [{\"name\": \"loop\", \"unit\": \"ns\", \"samples\": [");
    for (int round = 0; round < 5; round++) {
        double start = cpu_ns();
        for (unsigned long i = 0; i < ITERATIONS; i++) sum += i;
        printf("%s%.0f", round ? ", " : "", cpu_ns() - start);
    }
    printf("]}, {\"name\": \"operations\", \"unit\": \"count\", \"samples\": [");
    for (int round = 0; round < 5; round++) printf("%s%lu", round ? ", " : "", (unsigned long)ITERATIONS);
    printf("]}]}\n");
    return 0;
}
C
commit() {
    printf '#define ITERATIONS %sUL\n' "$1" > "$demo/work/iterations.h"
    echo "$2" >> "$demo/work/NOTES"
    git -C "$demo/work" add loop.c iterations.h NOTES
    git -C "$demo/work" commit -q -m "$2"
}
# The loop's length is the program's speed: commit 12 doubles it (the injected regression), and
# commit 22 brings it to two thirds of the start (the injected improvement). Every other commit
# changes only the notes.
base=5000000 iterations=5000000
for i in $(seq 1 30); do
    case $i in
        12) iterations=$((base * 2)); message="Process every item twice" ;;
        22) iterations=$((base * 2 / 3)); message="Skip the items already done" ;;
        *) message="Update the notes, step $i" ;;
    esac
    commit "$iterations" "$message"
    [ "$i" = 12 ] && regression=$(git -C "$demo/work" rev-parse HEAD)
    [ "$i" = 22 ] && improvement=$(git -C "$demo/work" rev-parse HEAD)
done
git -C "$demo/work" push -q origin main
echo "injected: a regression at ${regression:0:10} (commit 12), an improvement at ${improvement:0:10} (commit 22)"
git -C "$demo/work" log --oneline -3; echo "…"

step "A BenchBot home for it (Relay Dashboard layout)"
run init --home "$demo/home" --repo "$demo/project.git" --branch main --build "cc -O1 -o loop loop.c"
# The sample experiment times workload.sh; here it times the project's own program.
printf '#!/bin/sh\n"$1/loop"\n' > "$demo/home/experiments/sample_timing/workload.sh"
# A second experiment needs no stage scripts: a command whose output BenchBot parses, 3 launches;
# its instructions are counted too (perf where the kernel has a PMU, else cachegrind, untimed).
mkdir -p "$demo/home/config/experiments/loop_timing"
cat > "$demo/home/config/experiments/loop_timing/config.json" <<'JSON'
{
    "active": true,
    "title": "Loop timing",
    "command": ["./loop", "--bench"],
    "format": "benchbot-json",
    "repeat": 3,
    "warmup": 1,
    "counters": ["instructions"],
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

step "cron: the first poll queues all 30 first-parent commits (--backfill); a second poll finds nothing new"
run poll --home "$demo/home" --backfill 30
run poll --home "$demo/home"

step "The server's post-receive hook: a push of 3 commits queues exactly those 3"
run hook install --home "$demo/home" --repo "$demo/project.git"
for i in 31 32 33; do commit "$iterations" "Update the notes, step $i"; done
git -C "$demo/work" push origin main 2>&1 | grep benchbot

step "A new branch queues only its tip; an operator's range request queues nothing twice"
git -C "$demo/work" checkout -q -b faster-loop
commit "$((iterations / 2))" "Halve the loop"
commit "$((iterations / 4))" "Halve it again"
git -C "$demo/work" push -q origin faster-loop 2>&1 | grep benchbot
run enqueue --home "$demo/home" --range main~4..main

step "The queue (the newest 5 of its jobs, and the counts)"
run status --home "$demo/home" --limit 5

step "The worker: check out, build with cc, run the Relay stages of each queued commit"
run work --home "$demo/home" --drain

step "The nightly cycle: back up, poll, drain, run the subsystems, back up again"
run run --home "$demo/home"

step "What the experiments left, laid out as the Relay Dashboard documents it"
# Files kept per commit, and the site's own (its last step shows it), are counted, not listed.
(cd "$demo/home/results" && find experiments/status experiments/summary experiments/graph subsystem \
    \( -path subsystem/telemetry -o -path 'subsystem/output/*website*' \) -prune -o -type f -print | sort | sed 's/^/  results\//')
echo "  results/subsystem/telemetry/: $(find "$demo/home/results/subsystem/telemetry" -type f | wc -l) CPU telemetry files, one per measured commit"
echo "  results/subsystem/output/website/: $(find "$demo/home/results/subsystem/output/website" -type f | wc -l) files of the results site (below)"
echo "  results/experiments/data/sample_timing/: $(ls "$demo/home/results/experiments/data/sample_timing" | wc -l) data.json files, one per commit"
echo "  loop_timing's latest summary: $(sed -n 's/.*"value" *: *"\(.*\)".*/\1/p' "$demo/home/results/experiments/summary/loop_timing/summary.json")"
run status --home "$demo/home" --limit 5

step "The tip's stored results, each with its noise summary"
run results --home "$demo/home" main

step "The injected regression against its baseline, the nearest measured first-parent ancestor"
run compare --home "$demo/home" "$regression"

step "Change points found in main's history, each once, at its culprit commit, each confirmed or refuted before it is announced"
run changes --home "$demo/home" | tee "$demo/changes.txt"
found=0
grep -q "^regression of .* in loop_timing.operations at ${regression:0:10} .*\[confirmed\]$" "$demo/changes.txt" && found=$((found + 1))
grep -q "^improvement of .* in loop_timing.operations at ${improvement:0:10} .*\[confirmed\]$" "$demo/changes.txt" && found=$((found + 1))
if [ "$found" = 2 ]; then
    echo "both injected changes found and confirmed at their exact commits: the regression at ${regression:0:10}, the improvement at ${improvement:0:10}"
else
    echo "expected loop_timing.operations' regression at ${regression:0:10} and improvement at ${improvement:0:10}, confirmed; found $found of 2" >&2
    exit 1
fi
# Time is as noisy as the machine; confirmation re-measures each suspect against its parent, interleaved.
timed=$(grep -c -e "in loop_timing.loop at ${regression:0:10} .*\[confirmed\]$" -e "in loop_timing.loop at ${improvement:0:10} .*\[confirmed\]$" "$demo/changes.txt" || true)
told=$(grep -c -e "^suspect: confirmed regression .* in loop_timing.loop at ${regression:0:10} " -e "^suspect: confirmed improvement .* in loop_timing.loop at ${improvement:0:10} " "$demo/changes.txt" || true)
echo "in CPU time (loop_timing.loop), $told of the 2 were confirmed and announced at their commits; $timed of the 2 are change points there"

step "Suspects, confirmations and announcements: what was held back, and what people were told"
outbox="$demo/home/results/outbox"
count() { grep -c -e "$1" "$demo/changes.txt" || true; }
held=$(count '^suspect: held ') confirmed=$(count '^suspect: confirmed ') refuted=$(count '^suspect: refuted ')
echo "  suspects: $((held + confirmed + refuted)) ($(count '^suspect: .*(run-to-run[;)]') raised by a run against its parent, $(count '^suspect: .*(change point[;)]') by change-point detection)"
echo "  confirmations: $confirmed confirmed, $refuted refuted, $held still held (each is listed by \`benchbot changes\` above)"
# Announcements: Slack regression messages, and failing commit statuses (by the commit in their link).
slack=$(ls "$outbox"/*-slack-regression.json 2>/dev/null | wc -l)
failing=$(grep -l '"state":"failure"' "$outbox"/*-commit-status.json 2>/dev/null | xargs -r grep -ohE 'commit\\?/[0-9a-f]{40}' | sed 's|.*/||' | sort -u)
echo "  announcements: $slack Slack regression message(s), $(echo -n "$failing" | grep -c . || true) commit(s) with a failing status"
false_alarms=0
for file in $(ls "$outbox"/*-slack-regression.json 2>/dev/null); do
    grep -q " at ${regression:0:10}[ \"]" "$file" || { echo "  FALSE ALARM: $(basename "$file") is not about ${regression:0:10}"; false_alarms=$((false_alarms + 1)); }
done
for commit in $failing; do
    [ "$commit" = "$regression" ] || { echo "  FALSE ALARM: a failing status on ${commit:0:10} ($(git -C "$demo/work" log -1 --format=%s "$commit"))"; false_alarms=$((false_alarms + 1)); }
done
echo "  false alarms: $false_alarms (every commit but ${regression:0:10} and ${improvement:0:10} changed only notes)"

step "A pull request of the injected regression: its comment, and a Slack alert that was sent already"
run enqueue --home "$demo/home" --commit "$regression" --pull-request 1 --rerun
run work --home "$demo/home" | tee "$demo/rerun.txt"
grep -q "Slack alert not sent again" "$demo/rerun.txt" || echo "  (expected the rerun to say its Slack alert was sent already)"
echo "  the pull request's comment: $(ls "$outbox"/*-pr-comment.json | tail -1)"

step "What BenchBot would have told people: no credentials here, so each request body is in results/outbox/"
ls "$outbox" | sed 's/^[0-9]*-//; s/\.json$//' | sort | uniq -c | sed 's/^/  /'
echo "  the latest Slack regression message: $(ls "$outbox"/*-slack-regression.json 2>/dev/null | sort -t- -k1,1n | tail -1)"
echo "  the nightly run report: $(ls "$outbox"/*-slack-run-report.json 2>/dev/null | tail -1)"
run status --home "$demo/home" --limit 3

step "The results site: an index, a page per benchmark with SVG plots, per commit and per comparison"
run site --home "$demo/home"
echo "  open file://$demo/home/results/subsystem/output/website/index.html, or serve that folder"

cat <<DONE

Everything is in $demo/home: the store (benchbot.sqlite), results/, logs/ and backups/.
Try: $bin enqueue --home $demo/home --commit main~9 --rerun && $bin work --home $demo/home
DONE
