/// A number of seconds from a person (a config field, a command-line option) checked against
/// the range that makes sense for it, before it becomes a `Duration`.
///
/// `Duration.seconds(_:)` traps on a value whose attoseconds overflow, and `Task.sleep` and
/// SQLite's busy handler trap on far less; a typo such as `1e300` must be a field error naming
/// the range, never a crash. Every duration BenchBot reads is checked by ``problem(_:)``.
public struct BoundedSeconds: Sendable, Hashable {
    /// The smallest accepted value.
    public let minimum: Double
    /// The largest accepted value.
    public let maximum: Double

    /// The common limits of a timeout or an interval: 1 ms to 30 days.
    public static let standard = BoundedSeconds(minimum: 0.001, maximum: 30 * 86_400)
    /// SQLite takes its busy timeout in milliseconds as a 32-bit integer: at most one day here.
    public static let busyTimeout = BoundedSeconds(minimum: 0.001, maximum: 86_400)
    /// The first wait before a notification is retried: up to a day.
    public static let backoff = BoundedSeconds(minimum: 0.001, maximum: 86_400)
    /// Sampling intervals of telemetry: whole seconds up to a day (a negative rate turns it off).
    public static let telemetryRate = BoundedSeconds(minimum: 0, maximum: 86_400)

    public init(minimum: Double, maximum: Double) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The range as the messages say it.
    public var rangeText: String {
        "between \(Self.text(minimum)) and \(Self.text(maximum))"
    }

    /// Why `seconds` is refused, or `nil` when it is in range.
    public func problem(_ seconds: Double) -> String? {
        guard seconds.isFinite, seconds >= minimum, seconds <= maximum else {
            return "is \(Self.text(seconds)); must be a number of seconds \(rangeText)"
        }
        return nil
    }

    /// A whole or short decimal number as people write it: 2592000, not 2592000.0 or 2.592e+06.
    static func text(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
