import Foundation
@testable import BenchBot
import Testing

/// Every duration a person writes is checked against its range before it becomes a `Duration`:
/// `1e300` in any of them is a field error, never a Swift fatal error in `check` or `work`.
@Suite("Duration fields")
struct DurationFieldTests {
    static let minimal: [String: JSONValue] = [
        "tmp_data_dir": .string("tmp"), "backup_dir": .string("backup"), "setup_dir": .string("setup"),
        "benchbot": .object(["repository": .object(["url": .string("https://example.org/project.git")])]),
    ]

    /// The top-level config with `value` at `path` (a dotted path of objects).
    static func document(setting path: [String], to value: JSONValue) -> JSONValue {
        func set(_ object: [String: JSONValue], _ path: ArraySlice<String>) -> [String: JSONValue] {
            var object = object
            guard let key = path.first else { return object }
            if path.count == 1 {
                object[key] = value
            } else {
                guard case .object(let inner)? = object[key] ?? .object([:]) else { return object }
                object[key] = .object(set(inner, path.dropFirst()))
            }
            return object
        }
        return .object(set(minimal, path[...]))
    }

    static func problems(_ document: JSONValue) -> [String] {
        var reader = ConfigReader(file: "config/config.json")
        _ = HomeConfig.parse(document, reader: &reader)
        return reader.problems.map { "\($0)" }
    }

    @Test("the minimal config used below has no problems")
    func minimalIsValid() {
        #expect(Self.problems(.object(Self.minimal)).isEmpty)
    }

    @Test("a huge, negative or zero duration in the home's config is a field error naming the range", arguments: [
        ["benchbot", "build", "timeout"], ["benchbot", "store", "busy_timeout"], ["benchbot", "intake", "fetch_timeout"],
        ["benchbot", "runner", "stage_timeout"], ["benchbot", "runner", "lease_duration"],
        ["benchbot", "notify", "initial_backoff"], ["benchbot", "notify", "deadline_hours"],
        ["benchbot", "site", "publish", "timeout"], ["telemetry_rate"],
    ])
    func homeField(path: [String]) {
        let field = path.joined(separator: ".")
        var values: [Double] = [1e300, 1.7976931348623157e308, 1e15, 9.3e18]
        if field != "telemetry_rate" { values += [-1, 0] }
        for value in values {
            var document = Self.document(setting: path, to: .number(value))
            // The publish section needs its url to reach its timeout.
            if path.contains("publish") {
                document = Self.document(setting: ["benchbot", "site", "publish"],
                                         to: .object(["url": .string("https://example.org/site.git"), "timeout": .number(value)]))
            }
            let problems = Self.problems(document)
            #expect(problems.count == 1 && problems[0].hasPrefix("config/config.json: \(field): "), "\(field)=\(value): \(problems)")
            let unit = field.hasSuffix("deadline_hours") ? "hours" : "seconds"
            #expect(problems.first?.contains("number of \(unit)") == true, "\(field)=\(value): \(problems)")
        }
        let fine = Self.problems(path.contains("publish")
            ? Self.document(setting: ["benchbot", "site", "publish"], to: .object(["url": .string("https://example.org/site.git"), "timeout": .number(60)]))
            : Self.document(setting: path, to: .number(60)))
        #expect(fine.isEmpty, "\(field)=60: \(fine)")
    }

    @Test("an experiment's timeout and telemetry_rate are bounded too")
    func experimentFields() {
        for (field, value) in [("timeout", 1e300), ("timeout", -5.0), ("telemetry_rate", 1e300), ("telemetry_rate", 1e9)] {
            var reader = ConfigReader(file: "config/experiments/x/config.json")
            _ = ExperimentConfig.parse(name: "x", document: .object(["active": .bool(true), field: .number(value)]), reader: &reader)
            let problems = reader.problems.map { "\($0)" }
            #expect(problems.count == 1 && problems[0].hasPrefix("config/experiments/x/config.json: \(field): "), "\(field)=\(value): \(problems)")
        }
        var reader = ConfigReader(file: "config/subsystem/s/config.json")
        _ = SubsystemConfig.parse(name: "s", document: .object(["active": .bool(true), "timeout": .number(1e300)]), reader: &reader)
        #expect(reader.problems.map { "\($0)" }.contains { $0.contains("timeout: is 1e+300; must be a number of seconds between 0.001 and 2592000") },
                "\(reader.problems)")
    }

    @Test("`check` and `work` refuse a home with a huge timeout with one line naming it, and do not crash")
    func commandsRefuseHugeTimeouts() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let file = home.appending(path: "config/config.json")
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            var benchbot = try #require(config["benchbot"] as? [String: Any])
            benchbot["runner"] = ["stage_timeout": 1e300]
            benchbot["store"] = ["path": "benchbot.sqlite", "busy_timeout": 1e300]
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            for command in ["check", "work"] {
                let result = try await BenchBotProcess.run([command, "--home", home])
                let output = result.standardOutput + result.standardError
                #expect(result.status == 1, "\(command) exited \(result.status): \(output)")
                #expect(output.contains("benchbot.runner.stage_timeout: is 1e+300; must be a number of seconds between 0.001 and 2592000"),
                        "\(command): \(output)")
                #expect(output.contains("benchbot.store.busy_timeout: is 1e+300; must be a number of seconds between 0.001 and 86400"),
                        "\(command): \(output)")
            }
        }
    }

    @Test("the commands' own duration options are bounded", arguments: [
        ["notify", "--wait", "1e300"], ["notify", "--wait=-1"], ["bisect", "a", "b", "--benchmark", "x", "--timeout", "1e300"],
        ["bisect", "a", "b", "--benchmark", "x", "--timeout", "0"],
    ])
    func options(arguments: [String]) async throws {
        let result = try await BenchBotProcess.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.standardError)")
        #expect(result.standardError.contains("must be a number of seconds between"), "\(arguments): \(result.standardError)")
    }
}
