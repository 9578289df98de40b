public import Compare
public import Foundation

/// A change point as the store keeps it: found once, then followed as more history arrives.
public struct ChangeRecord: Sendable, Hashable {
    public var id: Int64?
    public var benchmark: String
    /// The commit that started the new level: the culprit.
    public var commit: ObjectID
    public var kind: ChangeKind
    public var unit: String
    public var before: Double
    public var after: Double
    public var pValue: Double
    public var detectedAt: Date

    public init(id: Int64? = nil, benchmark: String, commit: ObjectID, kind: ChangeKind, unit: String,
                before: Double, after: Double, pValue: Double, detectedAt: Date) {
        self.id = id
        self.benchmark = benchmark
        self.commit = commit
        self.kind = kind
        self.unit = unit
        self.before = before
        self.after = after
        self.pValue = pValue
        self.detectedAt = detectedAt
    }

    /// after ÷ before.
    public var ratio: Double { after / before }

    /// `regression of +10.0% in parse at 1a2b3c4d5e (100 ms → 110 ms)`, in one human scale.
    public var summary: String {
        let scale = HumanUnits(unit: unit, values: [before, after])
        let levels = "\(scale.format(before)) → \(scale.format(after))"
        return "\(kind.rawValue) of \(String(format: "%+.1f%%", (ratio - 1) * 100)) in \(benchmark) at \(commit.short) (\(levels))"
    }

}
