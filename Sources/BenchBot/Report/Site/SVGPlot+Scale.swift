import Foundation

/// The plot's vertical scale, with ticks at round values, and the decimation of long histories.
extension SVGPlot {
    /// The vertical axis in the plot's scale (stored values ÷ the scale's divisor): its range, padded
    /// and widened where the values are one, and ticks at 1, 2 or 5 × a power of ten within it.
    struct YAxis {
        var low: Double
        var high: Double
        var ticks: [Double] = []
        /// Digits after the point that tell the ticks apart.
        var decimals = 0

        /// Half the range, worked out in halves, which cannot overflow where a difference of values
        /// near ±1.8e308 would.
        var halfRange: Double { high / 2 - low / 2 }

        init(finite: [Double], divisor: Double) {
            let scaled = finite.map { $0 / divisor }.filter(\.isFinite)
            let largest = Double.greatestFiniteMagnitude
            low = scaled.min() ?? 0
            high = scaled.max() ?? 1
            if high / 2 - low / 2 < max(abs(high) * 0.5e-9, .leastNormalMagnitude) || high == low {
                low = max(-largest, low - max(abs(low) * 0.05, 1))
                high = min(largest, high + max(abs(high) * 0.05, 1))
            }
            let padding = (high / 2 - low / 2) * 0.16
            low = max(scaled.allSatisfy { $0 >= 0 } ? 0 : -largest, low - padding)
            high = min(largest, high + padding)
            // About four ticks: a quarter of the range, rounded to 1, 2 or 5 × a power of ten.
            let rough = halfRange / 2
            guard rough.isFinite, rough > 0 else { ticks = [low, high]; return }
            let power = Foundation.pow(10, (Foundation.log10(rough)).rounded(.down))
            let normal = rough / power
            let step = (normal < 1.5 ? 1 : normal < 3 ? 2 : normal < 7 ? 5 : 10) * power
            guard step.isFinite, step > 0 else { ticks = [low, high]; return }
            decimals = min(12, max(0, Int(-(Foundation.log10(step)).rounded(.down))))
            let first = (low / step).rounded(.up)
            for k in 0..<12 {
                let tick = (first + Double(k)) * step
                guard tick.isFinite, tick <= high * (1 + 1e-12) + step * 1e-9 else { break }
                if tick >= low - step * 1e-9 { ticks.append(tick == 0 ? 0 : tick) }
            }
            if ticks.isEmpty { ticks = [low, high] }
        }

        func label(_ tick: Double) -> String {
            let text = NumberText.fixed(tick, decimals: decimals, trimmingZeros: false)
            return text.hasPrefix("-") ? "−" + text.dropFirst() : text
        }
    }

    /// The indices to draw of `count` points in `columns` columns: all of them when two a column
    /// fit; otherwise each column's lowest and highest median, and every index in `keep`.
    static func decimate(_ count: Int, columns: Int, keep: Set<Int>, median: (Int) -> Double) -> [Int] {
        let columns = max(1, columns)
        guard count > 2 * columns else { return Array(0..<count) }
        var lowest = [Int?](repeating: nil, count: columns), highest = [Int?](repeating: nil, count: columns)
        for index in 0..<count {
            let column = index * columns / count, value = median(index)
            if lowest[column].map({ value < median($0) }) ?? true { lowest[column] = index }
            if highest[column].map({ value > median($0) }) ?? true { highest[column] = index }
        }
        return Array(Set(lowest.compactMap { $0 } + highest.compactMap { $0 }).union(keep)).sorted()
    }

    /// Each drawn point's band: its own spread when nothing was decimated, else its column's whole spread.
    static func columnSpread(_ drawn: [Int], count: Int, columns: Int, points: [Point]) -> [(minimum: Double, maximum: Double)] {
        let columns = max(1, columns)
        guard count > 2 * columns else { return drawn.map { (points[$0].minimum, points[$0].maximum) } }
        var low = [Double](repeating: .infinity, count: columns), high = [Double](repeating: -.infinity, count: columns)
        // By index, not `for point in points`: copying a point retains its three strings, and a
        // page at 10,000 commits would do that for every point of each plot.
        for index in points.indices {
            let column = index * columns / count, minimum = points[index].minimum, maximum = points[index].maximum
            if minimum.isFinite { low[column] = min(low[column], minimum) }
            if maximum.isFinite { high[column] = max(high[column], maximum) }
        }
        return drawn.map { index in
            let column = index * columns / count
            return (low[column].isFinite ? low[column] : points[index].minimum, high[column].isFinite ? high[column] : points[index].maximum)
        }
    }
}
