import ArgumentParser
import Compare
import Foundation

struct DetectionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Detection quality on synthetic histories with known changes, against the peers' alert rules.",
        discussion: """
            Generates histories of --commits commits with 0 to 3 injected steps (at least 15 commits apart, a third \
            of them 1%, a third 2%, a third 3–20%), in six kinds of noise at about 1% spread (normal, skewed, \
            bimodal, outliers, drift, and phases: slow stretches of 3–10 commits, every sample 5–30% slower, \
            starting about every 30 commits), with 1, 3, 5 or 10 samples per commit; half the histories have no \
            change at all. A detection counts when it is at the exact commit, or within 5 commits; each injected \
            change is matched once; recall by step size counts a change found within one commit. Changes BenchBot \
            holds as tentative are not announced, so they count neither way; how many it held is shown. Compared \
            in the same run: an oracle told how many changes there are (the least-squares split into that many \
            levels), relay-bench's stat_alert (latest value outside mean ± 1σ of the last 14 commits), Conbench's \
            z-score (outside mean ± 5σ of the last 100 commits), Perfherder's (Welch's t between the 12 commits \
            before and after, above 7, local maxima), rustc-perf's (a change beyond Q3 + 3·IQR of the last 100 \
            changes) and github-action-benchmark's default (worse than 2× the previous commit).
            """)

    @Option(name: .long, help: "Commits per history (default 300).")
    var commits = 300

    @Option(name: .long, help: "Histories per noise kind and sample count (default 20).")
    var histories = 20

    @Option(name: .long, help: "Random seed (default 1).")
    var seed: UInt64 = 1

    func validate() throws {
        if commits < 60 { throw ValidationError("--commits must be at least 60") }
        if histories < 2 { throw ValidationError("--histories must be at least 2") }
    }

    func run() async throws {
        var random = SplitMix64(state: seed)
        var scores: [String: DetectionScore] = [:]
        let methods = DetectionMethod.allCases
        var detectorSeconds = 0.0
        for noise in NoiseKind.allCases {
            for samples in [1, 3, 5, 10] {
                for index in 0..<histories {
                    let history = SyntheticHistory(commits: commits, noise: noise, samplesPerCommit: samples,
                                                   withChanges: index.isMultiple(of: 2), random: &random)
                    for method in methods {
                        let start = ContinuousClock.now
                        let found = method.detect(history)
                        if method == .benchbot { detectorSeconds += (ContinuousClock.now - start) / .seconds(1) }
                        scores[method.rawValue, default: DetectionScore()].add(found: found.announced, held: found.held, history: history)
                        scores["\(method.rawValue)/\(noise.rawValue)", default: DetectionScore()].add(found: found.announced, held: found.held, history: history)
                    }
                }
            }
        }
        let total = NoiseKind.allCases.count * 4 * histories
        print("Detection quality: \(total) histories of \(commits) commits (half with 1–3 injected changes), seed \(seed)\n")
        print(DetectionScore.header)
        for method in methods { print(scores[method.rawValue]!.row(method.label)) }
        print("\nBy noise kind (BenchBot):")
        print(DetectionScore.header)
        for noise in NoiseKind.allCases { print(scores["benchbot/\(noise.rawValue)"]!.row("  \(noise.rawValue)")) }
        let ours = scores["benchbot"]!
        print(String(format: "\nBenchBot held %d changes as tentative (%d on unchanged histories): too few commits yet on one side to tell a change from a slow stretch.",
                     ours.held, ours.heldOnFlat))
        for method in methods where method != .benchbot && method != .oracle {
            let theirs = scores[method.rawValue]!
            print(String(format: "vs %@: F1 (within 5) %.2f× theirs; false alarms per 1,000 commits %@",
                         method.label, ours.f1(within: true) / max(theirs.f1(within: true), 1e-9),
                         theirs.falseAlarmRate > 0 ? String(format: "%.3f× theirs", ours.falseAlarmRate / theirs.falseAlarmRate) : "— (they raised none)"))
        }
        print(String(format: "BenchBot's detector: %.2f ms per history of %d commits", detectorSeconds * 1000 / Double(total), commits))
    }
}
