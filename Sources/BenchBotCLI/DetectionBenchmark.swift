import ArgumentParser
import Compare
import Foundation

struct DetectionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Detection quality on synthetic histories with known changes, against the peers' alert rules.",
        discussion: """
            Generates histories of --commits commits with 0 to 3 injected steps of 2–20% (at least 15 commits apart),
            in five kinds of noise (normal, skewed, bimodal, outliers, drift) at about 1% spread, with 1, 3, 5 or 10
            samples per commit; half the histories have no change at all. A detection counts when it is at the exact
            commit, or within 5 commits; each injected change is matched once. Compared in the same run:
            relay-bench's stat_alert (latest value outside mean ± 1σ of the last 14 commits), Conbench's z-score
            (outside mean ± 5σ of the last 100 commits), Perfherder's (Welch's t between the 12 commits before and
            after, above 7, local maxima), rustc-perf's (a change beyond Q3 + 3·IQR of the last 100 changes) and
            github-action-benchmark's default (worse than 2× the previous commit).
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
        var random = SeededRandom(state: seed)
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
                        scores[method.rawValue, default: DetectionScore()].add(found: found, truth: history.changes, commits: commits)
                        scores["\(method.rawValue)/\(noise.rawValue)", default: DetectionScore()].add(found: found, truth: history.changes, commits: commits)
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
        print("")
        for method in methods where method != .benchbot {
            let theirs = scores[method.rawValue]!
            print(String(format: "vs %@: F1 (within 5) %.2f× theirs; false alarms per 1,000 commits %@",
                         method.label, ours.f1(within: true) / max(theirs.f1(within: true), 1e-9),
                         theirs.falseAlarmRate > 0 ? String(format: "%.3f× theirs", ours.falseAlarmRate / theirs.falseAlarmRate) : "— (they raised none)"))
        }
        print(String(format: "BenchBot's detector: %.2f ms per history of %d commits", detectorSeconds * 1000 / Double(total), commits))
    }
}

/// The noise a benchmark's samples carry, around a level, at about 1% spread.
enum NoiseKind: String, CaseIterable {
    case normal, skewed, bimodal, outliers, drift
}

/// A history with its injected change points.
struct SyntheticHistory {
    let points: [[Double]]
    /// Indices of the first commit of each new level.
    let changes: [Int]

    init(commits: Int, noise: NoiseKind, samplesPerCommit: Int, withChanges: Bool, random: inout SeededRandom) {
        var changes: [Int] = []
        if withChanges {
            let count = Int.random(in: 1...3, using: &random)
            while changes.count < count {
                let candidate = Int.random(in: 20..<(commits - 20), using: &random)
                if changes.allSatisfy({ abs($0 - candidate) >= 15 }) { changes.append(candidate) }
            }
            changes.sort()
        }
        var level = 100.0
        var levels: [Double] = []
        for index in 0..<commits {
            if changes.contains(index) {
                let size = Double.random(in: 0.02...0.20, using: &random)
                level *= Bool.random(using: &random) ? 1 + size : 1 / (1 + size)
            }
            levels.append(level)
        }
        points = levels.enumerated().map { index, level in
            (0..<samplesPerCommit).map { _ in random.sample(level, noise: noise, progress: Double(index) / Double(commits)) }
        }
        self.changes = changes
    }
}

/// The benchmark's generator: every run sees the same histories.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// A standard normal value (Box–Muller).
    mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    mutating func sample(_ level: Double, noise: NoiseKind, progress: Double) -> Double {
        switch noise {
        case .normal: level * (1 + 0.01 * normal())
        case .skewed: level * exp(0.01 * abs(normal()) * 1.5)
        case .bimodal: level * (Bool.random(using: &self) ? 1 : 1.03) * (1 + 0.003 * normal())
        case .outliers: level * (1 + 0.01 * normal()) * (Double.random(in: 0..<1, using: &self) < 0.05 ? Double.random(in: 1.2...3, using: &self) : 1)
        case .drift: level * (1 + 0.02 * progress) * (1 + 0.01 * normal())
        }
    }
}

/// The detectors compared: BenchBot's and the peers' alert rules, each on per-commit values.
enum DetectionMethod: String, CaseIterable {
    case benchbot
    case statAlert = "stat_alert"
    case otava
    case conbench
    case perfherder
    case rustcPerf = "rustc-perf"
    case githubActionBenchmark = "github-action-benchmark"

    var label: String {
        switch self {
        case .benchbot: "BenchBot (rank change points)"
        case .statAlert: "relay-bench stat_alert (1σ, 14 commits)"
        case .otava: "Otava-style E-divisive + t-test (p < 0.001)"
        case .conbench: "Conbench z-score (5σ, 100 commits)"
        case .perfherder: "Perfherder t-test (12 | 12 commits, t > 7)"
        case .rustcPerf: "rustc-perf (3×IQR fence, 100 changes)"
        case .githubActionBenchmark: "github-action-benchmark (2× previous)"
        }
    }

    func detect(_ history: SyntheticHistory) -> [Int] {
        switch self {
        case .benchbot:
            return ChangePointDetector().detect(history.points).map(\.index)
        case .statAlert, .conbench:
            let (window, deviations) = self == .statAlert ? (14, 1.0) : (100, 5.0)
            let values = history.points.map { $0.reduce(0, +) / Double($0.count) }
            return values.indices.filter { index in
                let previous = values[max(0, index - window)..<index]
                guard previous.count >= 2, let summary = SampleSummary(previous) else { return false }
                return abs(values[index] - summary.mean) > deviations * summary.standardDeviation
            }
        case .otava:
            return EDivisive.detect(history.points.map { $0.reduce(0, +) / Double($0.count) }).sorted()
        case .perfherder:
            // Welch's t between the 12 commits before and the 12 from each commit on; local maxima above 7.
            let values = history.points.map { $0.reduce(0, +) / Double($0.count) }
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
            let values = history.points.map { $0.reduce(0, +) / Double($0.count) }
            let changes = values.indices.dropFirst().map { abs(values[$0] / values[$0 - 1] - 1) }
            return changes.indices.compactMap { index in
                let past = changes[max(0, index - 100)..<index].sorted()
                guard past.count >= 10 else { return nil }
                let q1 = past[past.count / 4], q3 = past[(past.count * 3) / 4]
                return changes[index] > q3 + 3 * (q3 - q1) ? index + 1 : nil
            }
        case .githubActionBenchmark:
            let values = history.points.map { $0.reduce(0, +) / Double($0.count) }
            return values.indices.dropFirst().filter { values[$0] / values[$0 - 1] >= 2 || values[$0 - 1] / values[$0] >= 2 }
        }
    }
}

/// Precision, recall and false alarms, at the exact commit and within 5 commits.
struct DetectionScore {
    var detections = 0
    var truths = 0
    var exact = 0
    var within = 0
    var falseAlarmsOnFlat = 0
    var flatCommits = 0

    mutating func add(found: [Int], truth: [Int], commits: Int) {
        detections += found.count
        truths += truth.count
        if truth.isEmpty {
            falseAlarmsOnFlat += found.count
            flatCommits += commits
        }
        var unmatchedExact = Set(truth), unmatchedWithin = Set(truth)
        for detection in found {
            if unmatchedExact.remove(detection) != nil { exact += 1 }
            if let match = unmatchedWithin.filter({ abs($0 - detection) <= 5 }).min(by: { abs($0 - detection) < abs($1 - detection) }) {
                unmatchedWithin.remove(match)
                within += 1
            }
        }
    }

    func precision(within: Bool) -> Double { detections == 0 ? 0 : Double(within ? self.within : exact) / Double(detections) }
    func recall(within: Bool) -> Double { truths == 0 ? 0 : Double(within ? self.within : exact) / Double(truths) }
    func f1(within: Bool) -> Double {
        let p = precision(within: within), r = recall(within: within)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    var falseAlarmRate: Double { flatCommits == 0 ? 0 : Double(falseAlarmsOnFlat) * 1000 / Double(flatCommits) }

    static let header = "method                                      precision  recall   F1     | ±5: precision  recall   F1     | false alarms / 1,000 commits"

    func row(_ label: String) -> String {
        String(format: "%@ %6.3f   %6.3f   %6.3f  |     %6.3f   %6.3f   %6.3f  | %8.2f",
               label.padding(toLength: 43, withPad: " ", startingAt: 0), precision(within: false), recall(within: false), f1(within: false),
               precision(within: true), recall(within: true), f1(within: true), falseAlarmRate)
    }
}

/// E-divisive means (Matteson and James) with Apache Otava's significance test: binary segmentation
/// at the split that maximises the energy statistic (α = 1), kept when Welch's t-test between the
/// two sides gives p < 0.001. A reimplementation from the papers and Otava's documentation, for
/// comparison only.
enum EDivisive {
    static func detect(_ values: [Double], minimumSize: Int = 3) -> [Int] {
        var found: [Int] = []
        var segments = [(0, values.count)]
        while let (start, end) = segments.popLast() {
            guard end - start >= 2 * minimumSize, let split = bestSplit(Array(values[start..<end]), minimumSize: minimumSize) else { continue }
            let left = Array(values[start..<(start + split)]), right = Array(values[(start + split)..<end])
            guard welchPValue(left, right) < 0.001 else { continue }
            found.append(start + split)
            segments.append((start, start + split))
            segments.append((start + split, end))
        }
        return found
    }

    /// The split maximising τ(n−τ)/n · (2·mean|between| − mean|within left| − mean|within right|).
    private static func bestSplit(_ x: [Double], minimumSize: Int) -> Int? {
        let n = x.count
        // within[t]: Σ |x_i − x_k| over i < k < t; rightWithin[t]: over t ≤ i < k.
        var within = [Double](repeating: 0, count: n + 1)
        for t in 1..<(n + 1) {
            var added = 0.0
            for i in 0..<(t - 1) { added += abs(x[t - 1] - x[i]) }
            within[t] = within[t - 1] + added
        }
        var rightWithin = [Double](repeating: 0, count: n + 1)
        for t in stride(from: n - 1, through: 0, by: -1) {
            var added = 0.0
            for k in (t + 1)..<max(t + 1, n) { added += abs(x[t] - x[k]) }
            rightWithin[t] = rightWithin[t + 1] + added
        }
        let total = within[n]
        var best: (index: Int, score: Double)?
        for t in minimumSize...(n - minimumSize) {
            let between = total - within[t] - rightWithin[t]
            let a = Double(t), b = Double(n - t)
            let score = a * b / Double(n) * (2 * between / (a * b) - within[t] / (a * (a - 1) / 2) - rightWithin[t] / (b * (b - 1) / 2))
            if best == nil || score > best!.score { best = (t, score) }
        }
        return best?.index
    }

    /// Two-sided Welch's t-test p-value, by the normal approximation for large samples and a
    /// Student t tail otherwise.
    static func welchPValue(_ a: [Double], _ b: [Double]) -> Double {
        guard let left = SampleSummary(a), let right = SampleSummary(b), a.count > 1, b.count > 1 else { return 1 }
        let va = left.standardDeviation * left.standardDeviation / Double(a.count)
        let vb = right.standardDeviation * right.standardDeviation / Double(b.count)
        guard va + vb > 0 else { return left.mean == right.mean ? 1 : 0 }
        let t = abs(left.mean - right.mean) / (va + vb).squareRoot()
        let df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        return studentTwoSided(t, df)
    }

    /// P(|T| ≥ t) for Student's t with `df` degrees of freedom, through the regularised incomplete beta function.
    private static func studentTwoSided(_ t: Double, _ df: Double) -> Double {
        let x = df / (df + t * t)
        return incompleteBeta(x, df / 2, 0.5)
    }

    /// I_x(a, b) by its continued fraction (Numerical Recipes, betacf).
    private static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x >= (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
        var h = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
            c = 1 + numerator / c; c = abs(c) < 1e-300 ? 1e-300 : c
            h *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
            c = 1 + numerator / c; c = abs(c) < 1e-300 ? 1e-300 : c
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-12 { break }
        }
        return front * h / a
    }
}
