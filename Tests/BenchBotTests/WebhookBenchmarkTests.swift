import Foundation
import Testing

@Suite("bench webhooks")
struct WebhookBenchmarkTests {
    @Test("`bench webhooks --count 200` sends signed deliveries to both routes, at both durabilities, prints throughput, p50 and p99 for each and their ratios, each round's p99s, and finds every accepted delivery stored once")
    func smallRunPrintsTheFigures() async throws {
        let result = try await BenchBotProcess.run(["bench", "webhooks", "--count", "200", "--clients", "4"])
        #expect(result.succeeded, "\(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("durability ") }.map { $0.split(separator: ":")[0] } == ["durability \"disk\"", "durability \"process\""],
                "\(result.standardOutput)")
        for label in ["real route: verify, store, answer", "bare Hummingbird route: read body, 200", "real / bare"] {
            // Twice per durability: as fast as answers come, then paced.
            let rows = lines.filter { $0.hasPrefix(label) }
            #expect(rows.count == 4, "\(result.standardOutput)")
            for row in rows {
                // Three figures each: requests/s, p50 and p99 (or their ratios).
                let figures = row.dropFirst(label.count).split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "x", with: "")) }
                #expect(figures.count == 3 && figures.allSatisfy { $0 > 0 && $0.isFinite }, "\(row)")
            }
        }
        // Ten alternating rounds per durability, each with its two p99s.
        let rounds = lines.filter { $0.hasPrefix("p99 ms of each round, bare/real: ") }
        #expect(rounds.count == 2 && rounds.allSatisfy { row in
            let pairs = row.dropFirst("p99 ms of each round, bare/real: ".count).split(separator: " ")
            return pairs.count == 10 && pairs.allSatisfy { $0.split(separator: "/").compactMap { Double($0) }.filter { $0 > 0 }.count == 2 }
        }, "\(result.standardOutput)")
        // And the median of the rounds' ratios, a positive figure.
        let medians = lines.filter { $0.hasPrefix("median of the rounds' p99 ratios, real / bare: ") }
        #expect(medians.count == 2 && medians.allSatisfy { row in
            let figure = row.dropFirst("median of the rounds' p99 ratios, real / bare: ".count).split(separator: "x")[0]
            return Double(figure).map { $0 > 0 && $0.isFinite } ?? false
        }, "\(result.standardOutput)")
        // Per durability, 200 measured twice and the warm-up's 16 (4 per client, more than 200 / 20), all answered 200 and all stored.
        #expect(lines.filter { $0.hasPrefix("answers of the real route: HTTP 200 × 200 (as fast as it can), HTTP 200 × 200 (paced)") }.count == 2,
                "\(result.standardOutput)")
        #expect(result.standardOutput.contains("stored 832 of 832 accepted"), "\(result.standardOutput)")
    }
}
