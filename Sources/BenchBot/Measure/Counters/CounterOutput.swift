/// The counts one counted launch gave, and those it could not give with what stood in for a number.
struct CounterReading: Sendable, Hashable {
    var counts: [HardwareCounter: Double] = [:]
    /// Counters perf named but did not count, with what it printed: `<not supported>`, `<not counted>`.
    var unsupported: [HardwareCounter: String] = [:]
}

/// `perf stat -x,` output: one CSV line per event, `value,unit,event,run time,percentage,…`.
enum PerfStatOutput {
    static func parse(_ text: String, counters: [HardwareCounter]) -> CounterReading {
        var reading = CounterReading()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { continue }
            // `instructions:u` when perf_event_paranoid restricts counting to user space.
            let event = fields[2].split(separator: ":").first.map(String.init) ?? ""
            guard let counter = HardwareCounter(rawValue: event), counters.contains(counter) else { continue }
            if let value = Double(fields[0]), value.isFinite, value >= 0 {
                reading.counts[counter, default: 0] += value
            } else {
                reading.unsupported[counter] = String(fields[0])
            }
        }
        return reading
    }
}

/// A cachegrind out file: `events: Ir …` names the columns that `summary: …` totals.
enum CachegrindOutput {
    /// The instructions (`Ir`) a file totals, or `nil` when it holds no such summary.
    static func instructions(_ text: String) -> Double? {
        var events: [Substring] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("events:") {
                events = line.dropFirst("events:".count).split(separator: " ")
            } else if line.hasPrefix("summary:"), let column = events.firstIndex(of: "Ir") {
                let totals = line.dropFirst("summary:".count).split(separator: " ")
                return totals.indices.contains(column) ? Double(totals[column]) : nil
            }
        }
        return nil
    }
}
