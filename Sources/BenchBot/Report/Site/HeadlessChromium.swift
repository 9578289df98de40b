import Foundation

/// A page of the site opened in headless Chromium with `#selftest`, for the screenshot test and
/// the site benchmark: `plot.js` then checks the page (window errors, overlapping tick labels, a
/// synthetic hover showing the tooltip) and writes its verdict into the DOM, which `--dump-dom`
/// prints. Console errors are read from Chromium's own log as well.
public struct HeadlessChromium: Sendable {
    public let executable: String

    /// The first of `chromium`, `chromium-browser` and `google-chrome` on `PATH`; `nil` when none is.
    public static func find(path: String? = nil) -> HeadlessChromium? {
        for folder in (path ?? ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return HeadlessChromium(executable: candidate) }
            }
        }
        return nil
    }

    /// What a page's self-test found.
    public struct Verdict: Sendable, Hashable {
        /// Errors the page raised (window errors) or Chromium logged from its console.
        public var errors: [String]
        public var plots: Int
        /// Plots whose tooltip a synthetic hover showed.
        public var hovered: Int
        /// Pairs of tick labels that overlap, by plot and axis.
        public var overlaps: [String]
        /// Whether the page had a filter box.
        public var filter: Bool
        /// On the index: whether filtering kept only matching rows, and a header button sorted its column.
        public var filtered: Bool
        public var sorted: Bool
        /// Milliseconds from navigation until the page's script had set everything up.
        public var interactiveMilliseconds: Double
        /// The whole run of Chromium, start-up included.
        public var wallMilliseconds: Double
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Opens `file` (an absolute path) at `width` pixels wide, with `#selftest`.
    ///
    /// - Throws: ``Failure`` when Chromium fails, times out, or the page wrote no verdict (its script did not run).
    public func selfTest(file: String, width: Int, height: Int = 900, timeout: Duration = .seconds(60)) async throws -> Verdict {
        let url = URL(fileURLWithPath: file).absoluteString + "#selftest"
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let result = try await CommandRunner.run(executable, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
            "--window-size=\(width),\(height)", "--dump-dom", url,
        ], environment: ["HOME": profile], timeout: timeout)
        guard result.succeeded else {
            throw Failure(description: "\(executable) on \(file): exit \(result.status)\(result.timedOut ? " (timed out)" : ""): \(result.standardError.suffix(600))")
        }
        guard let start = result.standardOutput.range(of: "<pre id=\"benchbot-selftest\">"),
              let end = result.standardOutput.range(of: "</pre>", range: start.upperBound..<result.standardOutput.endIndex) else {
            throw Failure(description: "\(file) wrote no self-test verdict: its script did not run; \(result.standardError.suffix(600))")
        }
        let json = String(result.standardOutput[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw Failure(description: "\(file): the self-test verdict is not JSON: \(json.prefix(300))")
        }
        // Chromium logs a page's console errors as `CONSOLE(…)] "Uncaught …"` on standard error.
        let logged = result.standardError.split(separator: "\n").filter { $0.contains("CONSOLE") && ($0.contains("Uncaught") || $0.contains("Error")) }
        return Verdict(errors: (object["errors"] as? [String] ?? []) + logged.map(String.init), plots: object["plots"] as? Int ?? 0,
                       hovered: object["hovered"] as? Int ?? 0, overlaps: object["overlaps"] as? [String] ?? [],
                       filter: object["filter"] as? Bool ?? false,
                       filtered: object["filtered"] as? Bool ?? false, sorted: object["sorted"] as? Bool ?? false, interactiveMilliseconds: (object["interactive"] as? NSNumber)?.doubleValue ?? .nan,
                       wallMilliseconds: Double(result.duration.components.seconds) * 1000 + Double(result.duration.components.attoseconds) / 1e15)
    }
}
