/// How far an accepted webhook delivery has gone when GitHub is answered.
///
/// Either way a delivery answered 2xx survives `kill -9` of the server: it was written to the
/// operating system (appended to the store's delivery intake log) before the answer. They differ
/// on a power loss or a kernel crash.
public enum DeliveryDurability: String, Sendable, Hashable, CaseIterable {
    /// Synced to the disk before the answer (`fdatasync` of the log, shared by the deliveries that
    /// arrive together). Nothing answered is ever lost. The answer waits for the disk, whose
    /// flushes on a busy cloud VM take from 0.3 ms to tens of milliseconds.
    case disk
    /// Written to the operating system before the answer, and synced when the delivery processor
    /// admits it into the store, within about 100 ms. A power loss in that window can lose
    /// deliveries GitHub saw answered; they stay in the hook's "Recent Deliveries" to redeliver.
    /// The answer never waits for the disk.
    case process
}
