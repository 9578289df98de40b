import ArgumentParser
import BenchBot
import Compare
import Foundation

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Show a commit's stored results with each benchmark's noise summary.",
        discussion: """
            One row per benchmark of the commit's newest run: sample count, median, mean, standard deviation,
            coefficient of variation, min, max, and the smallest change a comparison of two such runs would
            detect (2.8·CV·√(2/n)). A benchmark that cannot detect a 1% change is marked: fix the benchmark
            (more repetitions, a quieter machine, a longer workload), not the code.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Argument(help: "A hash or revision (default: the tip of the first tracked branch).")
    var revision: String?

    @Option(name: .long, help: "text (default) or json.")
    var format: Format = .text

    func run() async throws {
        let intake = try homeOptions.intake()
        let revision = revision ?? intake.config.benchbot.repository.branches.first ?? "main"
        let commit = try intake.resolveCommit(revision)
        let runs = try await intake.store.runs(repository: intake.config.benchbot.repository.name, commit: commit)
        // Halves of paired A/B runs are shown by `benchbot compare`, not as the commit's results.
        guard let run = runs.last(where: { $0.role == nil && $0.machine == intake.config.benchbot.machine }) else {
            printError("benchbot: no runs of \(commit.short) (\(revision)) yet; queue it with `benchbot enqueue --commit \(commit.hex)`, then `benchbot work`")
            throw ExitCode(1)
        }
        let report = ResultsReport(run: run)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .text:
            print(report.text())
        }
    }
}

/// One run's results and noise, as `benchbot results` prints them.
struct ResultsReport: Encodable {
    struct Row: Encodable {
        let benchmark: String
        let unit: String
        let direction: String
        let samples: Int
        let median: Double?
        let mean: Double?
        let standardDeviation: Double?
        let coefficientOfVariation: Double?
        let minimum: Double?
        let maximum: Double?
        let minimumDetectableChange: Double?
        let tooNoisy: Bool
    }

    let commit: String
    let run: Int64
    let machine: String
    let finishedAt: String
    let benchmarks: [Row]

    init(run: StoredRun) {
        commit = run.commit.hex
        self.run = run.id
        machine = run.machine
        finishedAt = run.finishedAt.formatted(.iso8601)
        benchmarks = run.results.map { result in
            let noise = run.noise[result.displayName]
            let summary = noise?.summary
            // A spread of values near ±1.8e308 overflows to infinity, which JSON cannot hold: it is shown as unknown.
            func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
            return Row(benchmark: result.displayName, unit: result.unit, direction: result.direction.rawValue,
                       samples: summary?.count ?? result.samples.count, median: finite(summary?.median), mean: finite(summary?.mean),
                       standardDeviation: finite(summary?.standardDeviation), coefficientOfVariation: finite(summary?.coefficientOfVariation),
                       minimum: finite(summary?.minimum), maximum: finite(summary?.maximum),
                       minimumDetectableChange: finite(noise?.minimumDetectableChange), tooNoisy: !(noise?.canResolve() ?? false))
        }
    }

    func text() -> String {
        let header = ["BENCHMARK", "UNIT", "N", "MEDIAN", "MEAN", "SD", "CV", "MIN", "MAX", "DETECTS", "NOTE"]
        let rows = benchmarks.map { row in
            let note: String = if row.samples < 2 {
                "noise unknown: 1 sample; use repeat"
            } else if row.tooNoisy {
                "too noisy to judge a 1% change"
            } else {
                ""
            }
            return [PlainText.singleLine(row.benchmark), row.unit.isEmpty ? "-" : PlainText.singleLine(row.unit), String(row.samples), number(row.median), number(row.mean),
                    number(row.standardDeviation), percent(row.coefficientOfVariation), number(row.minimum), number(row.maximum),
                    percent(row.minimumDetectableChange), note]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        var lines = ["commit \(commit)  run \(run)  machine \(machine)  finished \(finishedAt)"]
        for row in [header] + rows {
            lines.append(row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let noisy = benchmarks.filter(\.tooNoisy).count
        lines.append("\(benchmarks.count) benchmark(s); \(noisy) cannot detect a 1% change. DETECTS is the smallest change a comparison of two such runs would find (80% power, 5% level).")
        return lines.joined(separator: "\n")
    }

    private func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        return NumberText.compact(value)
    }

    private func percent(_ value: Double?) -> String {
        value.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
    }
}
