import Foundation
import Testing

/// What people read in a terminal shows values in human units (`20M → 40M`, `65.1 ms`), never
/// printf's e-notation; `--format json` keeps the exact numbers.
@Suite("Values in the terminal")
struct HumanValueOutputTests {
    /// A number in e-notation, as printf's `%g` or Swift's `description` write it: `2e+07`, `1.2e-07`;
    /// the sign tells it from a commit's hash (`3e4f…`).
    static func eNotation(in text: String) -> [String] {
        let expression = try! NSRegularExpression(pattern: #"[0-9](\.[0-9]+)?[eE][+-][0-9]+"#)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { (text as NSString).substring(with: $0.range) }
    }

    @Test("work's announced changes, results, changes (with its stat_alert lines) and compare print counts of tens of millions as 20M and 40M, with no e+ or e- number; JSON keeps them exact")
    func humanUnitsEverywhere() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setBenchBotSection("compare", ["stat_alert": ["deviations": 1, "window_days": 14]])
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            let commits = try await fixture.commitLoopLengths(2...16) { $0 < 11 ? 20_000_000 : 40_000_000 }
            // The fixture's first commit (a loop of 1000) stays out of the history.
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "15"])

            let work = try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            let announced = work.split(separator: "\n").filter { $0.hasPrefix("  regression of") || $0.hasPrefix("  improvement of") }
            #expect(announced.contains { $0.contains("in size.loop at \(commits[10].prefix(10)) (20M → 40M)") }, "\(work)")
            #expect(Self.eNotation(in: work).isEmpty, "\(work)")

            let results = try await BenchBotProcess.succeed(["results", "--home", fixture.home])
            let row = try #require(results.split(separator: "\n").first { $0.hasPrefix("size.loop") }, "\(results)")
            #expect(row.split(separator: " ").prefix(7) == ["size.loop", "M", "count", "3", "40", "40", "0"], "\(row)")
            #expect(Self.eNotation(in: results).isEmpty, "\(results)")
            let json = try await BenchBotProcess.succeed(["results", "--home", fixture.home, "--format", "json"])
            let rows = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["benchmarks"] as? [[String: Any]])
            #expect(rows.first?["median"] as? Double == 40_000_000 && rows.first?["unit"] as? String == "count", "\(rows)")

            let changes = try await BenchBotProcess.succeed(["changes", "--home", fixture.home])
            #expect(changes.contains("in size.loop at \(commits[10].prefix(10)) (20M → 40M)"), "\(changes)")
            #expect(changes.contains("stat_alert: size.loop at \(commits[15].prefix(10)) is 40M, "), "\(changes)")
            #expect(Self.eNotation(in: changes).isEmpty, "\(changes)")
            let changesJSON = try await BenchBotProcess.succeed(["changes", "--home", fixture.home, "--format", "json"])
            let listed = try #require((try JSONSerialization.jsonObject(with: Data(changesJSON.utf8)) as? [String: Any])?["changes"] as? [[String: Any]])
            #expect(listed.contains { $0["before"] as? Double == 20_000_000 && $0["after"] as? Double == 40_000_000 }, "\(listed)")

            for format in ["text", "markdown"] {
                let compared = try await BenchBotProcess.succeed(["compare", "--home", fixture.home, commits[9], commits[10], "--format", format])
                #expect(compared.contains("20M") && compared.contains("40M") && Self.eNotation(in: compared).isEmpty, "\(compared)")
            }
            let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
            #expect(Self.eNotation(in: status).isEmpty, "\(status)")
        }
    }

    @Test("the e-notation finder finds what printf and Swift write, and not hashes or units")
    func finder() {
        #expect(Self.eNotation(in: "2e+07 → 4e+07 count (q=1.2e-07) 6.51E+07") == ["2e+07", "4e+07", "1.2e-07", "6.51E+07"])
        #expect(Self.eNotation(in: "20M → 40M; 65.1 ms; commit 3e4f5a6b7c; q<0.001").isEmpty)
    }
}
