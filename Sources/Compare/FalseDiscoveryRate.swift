/// Benjamini–Hochberg adjustment: controls the expected share of false alarms among everything a
/// suite flags, however many benchmarks it has. Per-benchmark tests at 5% would flag five of a
/// hundred unchanged benchmarks every run; this is what keeps alert storms away.
public enum FalseDiscoveryRate {
    /// - Parameter pValues: One per test, in any order.
    /// - Returns: The adjusted q-values, in the same order; q ≤ α rejects at false discovery rate α.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let count = pValues.count
        guard count > 0 else { return [] }
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: count)
        var running = 1.0
        for position in stride(from: count - 1, through: 0, by: -1) {
            let index = order[position]
            running = min(running, pValues[index] * Double(count) / Double(position + 1))
            adjusted[index] = min(running, 1)
        }
        return adjusted
    }
}
