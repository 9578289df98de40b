import Compare
import Foundation

/// The detectors compared: BenchBot's, the peers' alert rules, each on per-commit values, and an
/// oracle that is told how many changes there are.
enum DetectionMethod: String, CaseIterable {
    case benchbot
    case oracle
    case statAlert = "stat_alert"
    case otava
    case conbench
    case perfherder
    case rustcPerf = "rustc-perf"
    case githubActionBenchmark = "github-action-benchmark"

    var label: String {
        switch self {
        case .benchbot: "BenchBot (rank change points)"
        case .oracle: "oracle (knows how many; least squares)"
        case .statAlert: "relay-bench stat_alert (1σ, 14 commits)"
        case .otava: "Otava-style E-divisive + t-test (p < 0.001)"
        case .conbench: "Conbench z-score (5σ, 100 commits)"
        case .perfherder: "Perfherder t-test (12 | 12 commits, t > 7)"
        case .rustcPerf: "rustc-perf (3×IQR fence, 100 changes)"
        case .githubActionBenchmark: "github-action-benchmark (2× previous)"
        }
    }

    /// What the method announces, and how many changes it holds back as tentative (BenchBot only).
    func detect(_ history: SyntheticHistory) -> (announced: [Int], held: Int) {
        switch self {
        case .benchbot:
            let found = ChangePointDetector().detect(history.points)
            return (found.filter { !$0.isTentative }.map(\.index), found.count { $0.isTentative })
        default:
            return (alerts(history), 0)
        }
    }

    private func alerts(_ history: SyntheticHistory) -> [Int] {
        let values = history.points.map { $0.reduce(0, +) / Double($0.count) }
        switch self {
        case .benchbot:
            return []
        case .oracle:
            return LeastSquaresSegmentation.best(history.points.map { log(SampleSummary($0)!.median) }, changes: history.changes.count)
        case .statAlert, .conbench:
            let (window, deviations) = self == .statAlert ? (14, 1.0) : (100, 5.0)
            return values.indices.filter { index in
                let previous = values[max(0, index - window)..<index]
                guard previous.count >= 2, let summary = SampleSummary(previous) else { return false }
                return abs(values[index] - summary.mean) > deviations * summary.standardDeviation
            }
        case .otava:
            return EDivisive.detect(values).sorted()
        case .perfherder:
            // Welch's t between the 12 commits before and the 12 from each commit on; local maxima above 7.
            let window = 12
            var scores = [Double](repeating: 0, count: values.count)
            for index in window..<max(window, values.count - window + 1) {
                guard let back = SampleSummary(values[(index - window)..<index]), let fore = SampleSummary(values[index..<(index + window)]) else { continue }
                let error = (back.standardDeviation * back.standardDeviation / Double(window) + fore.standardDeviation * fore.standardDeviation / Double(window)).squareRoot()
                scores[index] = error == 0 ? (back.mean == fore.mean ? 0 : .infinity) : abs(fore.mean - back.mean) / error
            }
            return scores.indices.filter { index in
                scores[index] > 7 && scores[max(0, index - window)..<min(scores.count, index + window + 1)].allSatisfy { $0 <= scores[index] }
                    && !scores[max(0, index - window)..<index].contains(scores[index])
            }
        case .rustcPerf:
            // A change between consecutive commits beyond Q3 + 3·IQR of the last 100 such changes (in magnitude).
            let changes = values.indices.dropFirst().map { abs(values[$0] / values[$0 - 1] - 1) }
            return changes.indices.compactMap { index in
                let past = changes[max(0, index - 100)..<index].sorted()
                guard past.count >= 10 else { return nil }
                let q1 = past[past.count / 4], q3 = past[(past.count * 3) / 4]
                return changes[index] > q3 + 3 * (q3 - q1) ? index + 1 : nil
            }
        case .githubActionBenchmark:
            return values.indices.dropFirst().filter { values[$0] / values[$0 - 1] >= 2 || values[$0 - 1] / values[$0] >= 2 }
        }
    }
}

/// The split of a series into a given number of changes that minimises the squared deviations from
/// each level's mean, by dynamic programming: the reference an oracle that knows how many changes
/// there are reaches, for comparison only.
enum LeastSquaresSegmentation {
    static func best(_ values: [Double], changes: Int) -> [Int] {
        let n = values.count
        guard changes > 0, n > changes else { return [] }
        var sums = [0.0], squares = [0.0]
        for value in values {
            sums.append(sums.last! + value)
            squares.append(squares.last! + value * value)
        }
        func cost(_ start: Int, _ end: Int) -> Double {
            let sum = sums[end] - sums[start]
            return squares[end] - squares[start] - sum * sum / Double(end - start)
        }
        // best[k][end]: the least cost of values[0..<end] in k + 1 levels; from[k][end]: where the last level starts.
        var best = [(1...n).reduce(into: [0.0]) { $0.append(cost(0, $1)) }]
        var from: [[Int]] = [[Int](repeating: 0, count: n + 1)]
        for level in 1...changes {
            var costs = [Double](repeating: .infinity, count: n + 1), starts = [Int](repeating: 0, count: n + 1)
            for end in (level + 1)...n {
                for start in level..<end where best[level - 1][start] + cost(start, end) < costs[end] {
                    costs[end] = best[level - 1][start] + cost(start, end)
                    starts[end] = start
                }
            }
            best.append(costs)
            from.append(starts)
        }
        var splits: [Int] = [], end = n
        for level in stride(from: changes, through: 1, by: -1) {
            end = from[level][end]
            splits.append(end)
        }
        return splits.reversed()
    }
}
