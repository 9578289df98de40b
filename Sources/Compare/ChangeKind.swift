/// Whether a shift made a benchmark worse or better, given which way it improves.
public enum ChangeKind: String, Sendable, Hashable, Codable {
    case regression
    case improvement

    /// - Parameters:
    ///   - ratio: after ÷ before.
    ///   - direction: Which way the benchmark improves.
    public init(ratio: Double, direction: Direction) {
        let larger = ratio > 1
        self = (direction == .lowerIsBetter) == larger ? .regression : .improvement
    }
}
