import Foundation
import Testing

@Suite("bench webhooks")
struct WebhookBenchmarkTests {
    @Test("`bench webhooks --count 200` sends signed deliveries to both routes, prints throughput, p50 and p99 for each and their ratios, and finds every accepted delivery stored once")
    func smallRunPrintsTheFigures() async throws {
        let result = try await BenchBotProcess.run(["bench", "webhooks", "--count", "200", "--clients", "4"])
        #expect(result.succeeded, "\(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        for label in ["real route: verify, store durably, answer", "bare Hummingbird route: read body, 200", "real / bare"] {
            // Twice each: as fast as answers come, then paced.
            let rows = lines.filter { $0.hasPrefix(label) }
            #expect(rows.count == 2, "\(result.standardOutput)")
            for row in rows {
                // Three figures each: requests/s, p50 and p99 (or their ratios).
                let figures = row.dropFirst(label.count).split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "x", with: "")) }
                #expect(figures.count == 3 && figures.allSatisfy { $0 > 0 && $0.isFinite }, "\(row)")
            }
        }
        // 200 measured twice and the warm-up's 16 (4 per client, more than 200 / 20), all answered 200 and all stored.
        #expect(result.standardOutput.contains("HTTP 200 × 200 (as fast as it can), HTTP 200 × 200 (paced); stored 416 of 416 accepted"),
                "\(result.standardOutput)")
    }
}
