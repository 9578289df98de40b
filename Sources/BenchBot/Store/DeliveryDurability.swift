/// How far an accepted webhook delivery has gone when GitHub is answered.
///
/// Either way a delivery answered 2xx survives `kill -9` of the server: SQLite has written it to
/// the operating system (in the store's delivery intake) before the answer. They differ on a power
/// loss or a kernel crash.
public enum DeliveryDurability: String, Sendable, Hashable, CaseIterable {
    /// Synced to the disk before the answer (`fsync` of the log, shared by the deliveries that
    /// arrive together). Nothing answered is ever lost. The answer waits for the disk, whose
    /// flushes on a busy cloud VM take from 0.3 ms to tens of milliseconds.
    case disk
    /// Written to the operating system before the answer, and synced when the delivery processor
    /// admits it into the store, within about 100 ms (at the latest with the intake's next
    /// checkpoint, every 0.5 s). A power loss in that window can lose
    /// deliveries GitHub saw answered; they stay in the hook's "Recent Deliveries" to redeliver.
    /// The answer never waits for the disk.
    case process
}
