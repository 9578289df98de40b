/// Which way a benchmark's value improves.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Times, memory, instructions.
    case lowerIsBetter = "lower_is_better"
    /// Throughput, scores.
    case higherIsBetter = "higher_is_better"
}
