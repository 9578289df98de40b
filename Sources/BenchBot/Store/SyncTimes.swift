import Synchronization

/// How long the disk took over the syncs that webhook answers waited for, as a histogram.
///
/// With `disk` durability an answer waits for at least one sync of the delivery intake, and for
/// the rest of one under way when it arrives: the disk's own figure, which no server can shorten.
/// `GET /metrics` reports it, so an operator can tell whether the disk suits `disk` durability;
/// `bench webhooks` prints it beside the route's latency.
public struct SyncTimes: Sendable, Equatable {
    /// Each bucket's upper bound, in seconds: a cloud volume's syncs range from 0.1 ms to seconds.
    public static let bounds: [Double] = [0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005,
                                          0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// How many syncs took at most each bound and longer than the bound before; the last counts
    /// those longer than every bound.
    public private(set) var counts: [Int]
    /// The seconds all the syncs took together.
    public private(set) var sum: Double = 0

    public init() {
        counts = [Int](repeating: 0, count: Self.bounds.count + 1)
    }

    public var count: Int { counts.reduce(0, +) }

    mutating func record(_ seconds: Double) {
        counts[Self.bounds.firstIndex { seconds <= $0 } ?? Self.bounds.count] += 1
        sum += seconds
    }

    /// The syncs recorded after `earlier`, a snapshot taken before this one.
    public func since(_ earlier: SyncTimes) -> SyncTimes {
        var later = self
        later.counts = zip(counts, earlier.counts).map { $0 - $1 }
        later.sum = sum - earlier.sum
        return later
    }

    /// The bound of the bucket that holds the `fraction` quantile (0.5 for the median): the
    /// quantile is at most this; `.infinity` past the last bound, `nil` with no syncs.
    public func quantile(_ fraction: Double) -> Double? {
        let total = count
        guard total > 0 else { return nil }
        // The rank of the quantile's sync, counted from 1, as a nearest-rank percentile takes it.
        let rank = max(1, Int((fraction * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return index < Self.bounds.count ? Self.bounds[index] : .infinity }
        }
        return .infinity
    }

    /// Where a log that syncs keeps its times, and whether a sync failed: shared by the writes that
    /// sync and the readers of `/metrics`.
    final class Recorder: Sendable {
        private let state = Mutex<(times: SyncTimes, failure: StoreError?)>((SyncTimes(), nil))

        func record(_ duration: Duration) {
            let (seconds, attoseconds) = duration.components
            state.withLock { $0.times.record(Double(seconds) + Double(attoseconds) / 1e18) }
        }

        var snapshot: SyncTimes { state.withLock { $0.times } }

        /// Keeps the first failed sync. Linux marks the pages of a failed write-back clean, and a
        /// later sync succeeds without them: nothing written since the last good sync can be told
        /// safe, so from here every keep is refused, until a restart reads the log again.
        func failed(_ error: StoreError, path: String) {
            state.withLock { state in
                guard state.failure == nil else { return }
                state.failure = .unavailable(path, detail: "a sync of the delivery intake log failed (\(error)); deliveries written since "
                                                 + "may not be on the disk, so none is kept until `benchbot serve` restarts; check the disk "
                                                 + "(`dmesg`) first")
            }
        }

        /// The refusal every keep gets after a failed sync; `nil` while every sync succeeded.
        var failure: StoreError? { state.withLock { $0.failure } }
    }
}
