#!/usr/bin/env bash
# BenchBot demo: a sample project, and every way its commits reach BenchBot's queue.
# Everything lives in ./demo (rebuilt on each run); nothing leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-system-packages.sh
echo "building BenchBot …"
swift build -q
bin="$(swift build --show-bin-path)/benchbot"
demo="$PWD/demo"
rm -rf "$demo" && mkdir -p "$demo"
export GIT_AUTHOR_NAME="Demo Dev" GIT_AUTHOR_EMAIL="dev@example.invalid"
export GIT_COMMITTER_NAME="Demo Dev" GIT_COMMITTER_EMAIL="dev@example.invalid"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "benchbot ${*}"; "$bin" "$@"; }

step "A sample project: a bare server repository with 10 commits"
git init -q --bare -b main "$demo/project.git"
git init -q -b main "$demo/work"
git -C "$demo/work" remote add origin "$demo/project.git"
commit() {
    printf 'int iterations = %s;\n' "$1" > "$demo/work/loop.c"
    git -C "$demo/work" add loop.c
    git -C "$demo/work" commit -q -m "$2"
}
for i in $(seq 1 10); do commit "$((i * 1000))" "Tune the loop, step $i"; done
git -C "$demo/work" push -q origin main
git -C "$demo/work" log --oneline -3; echo "…"

step "A BenchBot home for it (Relay Dashboard layout)"
run init --home "$demo/home" --repo "$demo/project.git" --branch main
run check --home "$demo/home"

step "cron: the first poll queues the last 5 first-parent commits; a second poll finds nothing new"
run poll --home "$demo/home" --backfill 5
run poll --home "$demo/home"

step "The server's post-receive hook: a push of 3 commits queues exactly those 3"
run hook install --home "$demo/home" --repo "$demo/project.git"
for i in 11 12 13; do commit "$((i * 1000))" "Tune the loop, step $i"; done
git -C "$demo/work" push origin main 2>&1 | grep benchbot

step "A new branch queues only its tip; an operator's range request queues nothing twice"
git -C "$demo/work" checkout -q -b faster-loop
commit 500 "Halve the loop"
commit 250 "Halve it again"
git -C "$demo/work" push -q origin faster-loop 2>&1 | grep benchbot
run enqueue --home "$demo/home" --range main~4..main

step "The queue"
run status --home "$demo/home"

cat <<DONE

The queue is in $demo/home/benchbot.sqlite (SQLite, WAL mode); \`benchbot status --format json\` gives it to scripts.
Try: $bin enqueue --home $demo/home --commit main~7
DONE
