import RealModule

/// The noise a synthetic benchmark history carries, around its level, at about 1% spread.
public enum NoiseKind: String, CaseIterable, Sendable {
    case normal, skewed, bimodal, outliers, drift
    /// Normal noise, plus slow stretches of several commits, as a shared cloud VM shows: see
    /// ``SyntheticHistory/phaseLengths``.
    case phases
}

/// A seeded benchmark history with known change points, for measuring detection: the same seed
/// gives the same history on every run and every machine.
public struct SyntheticHistory: Sendable, Hashable {
    /// Each commit's samples, oldest first.
    public let points: [[Double]]
    /// The first commit of each new level, in history order.
    public let changes: [Int]
    /// Each change's size: the new level over the old one, so above 1 is slower.
    public let ratios: [Double]
    /// The slow stretches of ``NoiseKind/phases`` noise (empty for the other kinds).
    public let phases: [Range<Int>]

    /// The step sizes injected: a third 1%, a third 2%, a third 3–20% at random, so that recall on
    /// small steps is measured on enough of them.
    public static let smallSteps = [0.01, 0.02]
    /// How many commits a slow stretch lasts.
    public static let phaseLengths = 3...10
    /// How much slower every sample of a slow stretch is.
    public static let phaseSlowdowns = 0.05...0.30
    /// The chance that a slow stretch starts at a commit outside one; one about every 30 commits.
    public static let phaseChance = 1.0 / 30

    /// - Parameters:
    ///   - commits: The history's length, at least 60.
    ///   - noise: The noise on every sample.
    ///   - samplesPerCommit: Samples measured per commit.
    ///   - withChanges: Whether to inject 1 to 3 steps, at least 15 commits apart and 20 from either end.
    ///   - random: The generator; the history depends on nothing else.
    public init(commits: Int, noise: NoiseKind, samplesPerCommit: Int, withChanges: Bool, random: inout SplitMix64) {
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
        var ratios: [Double] = []
        for index in 0..<commits {
            if changes.contains(index) {
                let kind = Int.random(in: 0..<3, using: &random)
                let size = kind < Self.smallSteps.count ? Self.smallSteps[kind] : Double.random(in: 0.03...0.20, using: &random)
                let ratio = Bool.random(using: &random) ? 1 + size : 1 / (1 + size)
                level *= ratio
                ratios.append(ratio)
            }
            levels.append(level)
        }
        let phases = noise == .phases ? Self.phases(commits: commits, random: &random) : []
        var slowdowns = [Double](repeating: 1, count: commits)
        for phase in phases {
            let slowdown = 1 + Double.random(in: Self.phaseSlowdowns, using: &random)
            for index in phase { slowdowns[index] = slowdown }
        }
        points = levels.enumerated().map { index, level in
            (0..<samplesPerCommit).map { _ in
                random.sample(level * slowdowns[index], noise: noise, progress: Double(index) / Double(commits))
            }
        }
        self.changes = changes
        self.ratios = ratios
        self.phases = phases
    }

    /// Slow stretches that start anywhere, independently of the changes, at least one commit apart.
    private static func phases(commits: Int, random: inout SplitMix64) -> [Range<Int>] {
        var phases: [Range<Int>] = []
        var index = 0
        while index < commits {
            if Double.random(in: 0..<1, using: &random) < phaseChance {
                let end = min(commits, index + Int.random(in: phaseLengths, using: &random))
                phases.append(index..<end)
                index = end + 1
            } else {
                index += 1
            }
        }
        return phases
    }
}

extension SplitMix64 {
    /// A standard normal value (Box–Muller).
    public mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * .pi * v)
    }

    /// One sample around `level`; `progress` (0 to 1) is how far along the history it is, for drift.
    public mutating func sample(_ level: Double, noise: NoiseKind, progress: Double) -> Double {
        switch noise {
        case .normal, .phases: level * (1 + 0.01 * normal())
        case .skewed: level * Double.exp(0.01 * abs(normal()) * 1.5)
        case .bimodal: level * (Bool.random(using: &self) ? 1 : 1.03) * (1 + 0.003 * normal())
        case .outliers: level * (1 + 0.01 * normal()) * (Double.random(in: 0..<1, using: &self) < 0.05 ? Double.random(in: 1.2...3, using: &self) : 1)
        case .drift: level * (1 + 0.02 * progress) * (1 + 0.01 * normal())
        }
    }
}
