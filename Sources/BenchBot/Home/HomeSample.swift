/// The sample experiment and subsystem `benchbot init` writes into an empty home.
///
/// They follow the Relay Dashboard protocol exactly and use only POSIX sh, `date` and `awk`, so
/// they run anywhere and show a new user what each stage receives and must leave behind.
struct HomeSample: Sendable {
    let kind: String
    let name: String
    let config: String
    let scripts: [(String, String)]

    static let experiment = HomeSample(
        kind: "experiment",
        name: "sample_timing",
        config: """
            {
                "active": true,
                "title": "Sample timing",
                "description": "Times workload.sh against the checkout; replace workload.sh with your own benchmark.",
                "notify": [],
                "priority": 0,
                "repetitions": 5
            }

            """,
        scripts: [
            ("workload.sh", """
                #!/bin/sh
                # The code being measured; $1 is the project's checkout. Replace with a real benchmark.
                find "${1:-.}" -type f -not -path '*/.git/*' | wc -l
                """ + "\n"),
            ("run.sh", """
                #!/bin/sh
                # Relay stage "run": $1 = the experiment's config folder, $2 = where raw data goes.
                set -u
                config=$1/config.json
                out=$2
                mkdir -p "$out"
                fail() { printf '{"success": false, "message": "%s"}\\n' "$1" > "$out/status.json"; exit 0; }
                repetitions=$(sed -n 's/.*"repetitions"[[:space:]]*:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p' "$config")
                repetitions=${repetitions:-5}
                : > "$out/times_us.txt"
                i=0
                while [ "$i" -lt "$repetitions" ]; do
                    start=$(date +%s%N)
                    ./workload.sh "${BENCHBOT_CHECKOUT:-.}" > /dev/null || fail "workload.sh failed on repetition $i"
                    end=$(date +%s%N)
                    echo $(( (end - start) / 1000 )) >> "$out/times_us.txt"
                    i=$((i + 1))
                done
                printf '{"success": true, "message": ""}\\n' > "$out/status.json"
                """ + "\n"),
            ("analyze.sh", """
                #!/bin/sh
                # Relay stage "analyze": $1 = config folder, $2 = raw data, $3 = where data.json goes.
                set -u
                mkdir -p "$3"
                awk 'BEGIN { min = -1 }
                     { sum += $1; n += 1; samples = samples (n > 1 ? ", " : "") $1
                       if (min < 0 || $1 < min) min = $1; if ($1 > max) max = $1 }
                     END { if (n == 0) exit 1
                           printf "{\\"workload\\": {\\"unit\\": \\"us\\", \\"mean\\": %.1f, \\"min\\": %d, \\"max\\": %d, \\"samples\\": [%s]}}\\n", sum / n, min, max, samples }' \\
                    "$2/times_us.txt" > "$3/data.json" \\
                    && printf '{"success": true, "message": ""}\\n' > "$3/status.json" \\
                    || printf '{"success": false, "message": "no timings in %s"}\\n' "$2" > "$3/status.json"
                """ + "\n"),
            ("visualize.sh", """
                #!/bin/sh
                # Relay stage "visualize": $1 = config folder, $2 = every data.json so far, $3 = where graphs go.
                set -u
                mkdir -p "$3"
                {
                    echo '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" font-family="sans-serif" font-size="12">'
                    echo '<text x="10" y="20">workload mean (us) per run</text>'
                    ls -tr "$2"/*.json 2>/dev/null | tail -n 40 | while read -r file; do
                        sed -n 's/.*"mean"[[:space:]]*:[[:space:]]*\\([0-9.]*\\).*/\\1/p' "$file"
                    done |
                        awk '{ v[NR] = $1; if ($1 > m) m = $1 }
                             END { for (i = 1; i <= NR; i++) printf "<rect x=\\"%d\\" y=\\"%d\\" width=\\"10\\" height=\\"%d\\" fill=\\"#0072B2\\"/>\\n", 10 + 11 * i, 190 - int(160 * v[i] / m), int(160 * v[i] / m) }'
                    echo '</svg>'
                } > "$3/workload.svg"
                printf '{"success": true, "message": ""}\\n' > "$3/status.json"
                """ + "\n"),
            ("summarize.sh", """
                #!/bin/sh
                # Relay stage "summarize": $1 = config folder, $2 = every data.json so far, $3 = where summary.json goes.
                set -u
                mkdir -p "$3"
                # BenchBot rewrites data.json pretty-printed; the newest file is the latest run.
                latest=$(ls -t "$2"/*.json 2>/dev/null | head -n 1)
                mean=$(sed -n 's/.*"mean"[[:space:]]*:[[:space:]]*\\([0-9.]*\\).*/\\1/p' "$latest" 2>/dev/null)
                printf '{"title": "Sample timing", "value": "workload mean: %s us"}\\n' "${mean:-unknown}" > "$3/summary.json"
                printf '{"success": true, "message": ""}\\n' > "$3/status.json"
                """ + "\n"),
        ])

    static let subsystem = HomeSample(
        kind: "subsystem",
        name: "sample_report",
        config: """
            {
                "active": true,
                "title": "Sample report",
                "description": "Collects every experiment's latest summary into report.json.",
                "priority": 0,
                "notify": []
            }

            """,
        scripts: [
            ("run.sh", """
                #!/bin/sh
                # Relay subsystem: $1 = config folder, $2 = output folder (kept between runs), $3 = the home.
                set -u
                mkdir -p "$2"
                {
                    printf '{"title": "Latest summaries", "value": "'
                    for summary in "$3"/results/experiments/summary/*/summary.json; do
                        [ -f "$summary" ] || continue
                        sed -n 's/.*"value": *"\\([^"]*\\)".*/\\1; /p' "$summary" | tr -d '\\n'
                    done
                    printf '"}\\n'
                } > "$2/report.json"
                printf '{"success": true, "message": ""}\\n' > "$2/status.json"
                """ + "\n"),
        ])
}
