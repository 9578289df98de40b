extension ChangePointDetector {
    /// The splits without those around short excursions: a level shorter than ``settledLength``
    /// between two splits, after which the history returns to within the minimum effect of the
    /// level before it, is a slow stretch of the machine (or a change undone at once), and neither
    /// of its ends is a lasting change.
    func withoutExcursions(_ splits: [(index: Int, pValue: Double)], _ levels: [Double]) -> [(index: Int, pValue: Double)] {
        var splits = splits
        var position = 0
        while position + 1 < splits.count {
            let start = splits[position].index, end = splits[position + 1].index
            let previous = position == 0 ? 0 : splits[position - 1].index
            let next = position + 2 < splits.count ? splits[position + 2].index : levels.count
            guard end - start < Self.settledLength,
                  let shift = relativeShift(levels[previous..<start], levels[end..<next]), abs(shift) < minimumEffect
            else {
                position += 1
                continue
            }
            splits.removeSubrange(position...(position + 1))
            position = max(0, position - 1)
        }
        return splits
    }
}
