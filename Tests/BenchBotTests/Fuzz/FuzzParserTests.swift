import Compare
import Foundation
@testable import BenchBot
import Testing

/// The parsers under mutated input: never a crash, never a hang, and either a value or an error
/// that names where the input is wrong. Replay a failure with the seed its message gives.
@Suite("Fuzz: parsers", .serialized)
struct FuzzParserTests {
    @Test("the JSON parser: a value whose numbers are finite and that survives a round trip, or an error at a line and column")
    func jsonParser() async {
        let corpus = FuzzCorpus.all
        await FuzzRun("json-parser", defaultCases: 3000).run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(corpus, random: &random), corpus: corpus, random: &random)
            do {
                let value = try JSONValue.parse(input)
                try Self.checkFinite(value, input: input)
                let again = try JSONValue.parse(value.compactJSON())
                try fuzzCheck(again == value, "the parsed value does not survive being written and read again", input: input)
                let pretty = try JSONValue.parse(value.prettyPrinted())
                try fuzzCheck(pretty == value, "the pretty-printed value reads back different", input: input)
            } catch let error as JSONSyntaxError {
                try fuzzCheck(error.line >= 1 && error.column >= 1 && !error.reason.isEmpty, "an error without a place: \(error)", input: input)
            }
            return input.count
        }
    }

    static func checkFinite(_ value: JSONValue, input: Data) throws {
        switch value {
        case .number(let number): try fuzzCheck(number.isFinite, "the parser returned \(number)", input: input)
        case .array(let items): for item in items { try checkFinite(item, input: input) }
        case .object(let fields):
            for (key, item) in fields {
                try fuzzCheck(try JSONValue.parse(Data(JSONText.string(key).utf8)) == .string(key), "JSONText.string does not round-trip \(key.debugDescription)", input: input)
                try checkFinite(item, input: input)
            }
        default: break
        }
    }

    @Test("every benchmark format: results that pass validation, or an error naming the file, the format and a place",
          arguments: BenchmarkFormat.allCases.filter { !$0.readsFolder })
    func format(_ format: BenchmarkFormat) async {
        let own = FuzzCorpus.formatSeeds[format.rawValue] ?? []
        let corpus = FuzzCorpus.all
        await FuzzRun("format-\(format.rawValue)", defaultCases: 2000).run { random in
            // Mostly this format's own output, sometimes another's.
            let seed = Int.random(in: 0..<8, using: &random) == 0 || own.isEmpty ? FuzzCorpus.seed(corpus, random: &random) : FuzzCorpus.seed(own, random: &random)
            let input = FuzzMutator.mutate(seed, corpus: corpus, random: &random)
            do {
                let results = try format.parse(input, file: "fuzz/input").results
                try Self.checkResults(results, input: input)
            } catch let error as FormatError {
                try fuzzCheck(startsWith("\(error)", "fuzz/input: \(format.rawValue): ") && !error.location.isEmpty && !error.problem.isEmpty,
                              "an error that names nothing: \(error)", input: input)
            }
            return input.count
        }
    }

    static func checkResults(_ results: [BenchmarkResult], input: Data) throws {
        try fuzzCheck(!results.isEmpty, "no results and no error", input: input)
        for result in results {
            try fuzzCheck(!result.samples.isEmpty, "\(result.displayName) has no samples", input: input)
            try fuzzCheck(result.samples.allSatisfy { $0.isFinite && abs($0) <= ResultValidation.maximumMagnitude },
                          "\(result.displayName) has a sample no statistic survives: \(result.samples.prefix(10))", input: input)
            try fuzzCheck(ResultValidation.unitProblem(result.unit) == nil, "unit '\(result.unit)' passed", input: input)
        }
        try fuzzCheck(Set(results.map(\.displayName)).count == results.count, "two series of one name", input: input)
    }

    @Test("criterion's folder: results or an error naming the folder")
    func criterionFolder() async throws {
        let source = FuzzCorpus.folder.appending(path: "criterion/sort/unstable/64/new")
        let files = try ["estimates.json", "benchmark.json", "sample.json"].map { ($0, try Data(contentsOf: URL(fileURLWithPath: source.appending(path: $0)))) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-fuzz-criterion-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root.appending(path: "bench/new")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // criterion before 0.3 wrote sample.json as the pair [[iters], [times]].
        let pair = try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: "criterion-pre-0.3.from-docs/0.2/sort/stable/64/new/sample.json")))
        let corpus = files.map(\.1) + [pair]
        await FuzzRun("format-criterion", defaultCases: 400).run { random in
            var size = 0
            for (name, original) in files {
                let data = name == "sample.json" && Bool.random(using: &random) ? pair : original
                let input = Int.random(in: 0..<3, using: &random) == 0 ? FuzzMutator.mutate(data, corpus: corpus, random: &random) : data
                size += input.count
                try input.write(to: URL(fileURLWithPath: folder.appending(path: name)))
            }
            do {
                try Self.checkResults(try BenchmarkFormat.criterion.parse(contentsOf: root).results, input: Data())
            } catch let error as FormatError {
                try fuzzCheck("\(error)".contains(root) && !error.problem.isEmpty, "an error that names nothing: \(error)", input: Data())
            }
            return size
        }
    }

    @Test("data.json flattening: every series is finite or the file is refused")
    func dataFlattening() async {
        let own = FuzzCorpus.formatSeeds["relay-data"]!
        await FuzzRun("data-flattening", defaultCases: 2000).run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(own, random: &random), corpus: FuzzCorpus.all, random: &random)
            guard let document = try? JSONValue.parse(input) else { return input.count }
            let results = DataFlattening.results(experiment: "e", data: document)
            try fuzzCheck(results.allSatisfy { startsWith($0.benchmark, "e") && !$0.samples.isEmpty && $0.samples.allSatisfy(\.isFinite) },
                          "a series without samples or with a non-finite one", input: input)
            do {
                try ResultValidation.validateSamples(results, FormatContext(file: "data.json", format: .relayData))
            } catch {
                try fuzzCheck(startsWith("\(error)", "data.json: relay-data: e"), "an error that names no series: \(error)", input: input)
            }
            return input.count
        }
    }

    @Test("the hook's standard input: updates whose references git accepts, or an error naming the line")
    func hookInput() async {
        let seeds = FuzzCorpus.hookSeeds.map { Data($0.utf8) }
        await FuzzRun("hook-stdin", defaultCases: 3000).run { random in
            let input = FuzzMutator.mutate(seeds.randomElement(using: &random)!, corpus: seeds, random: &random)
            let text = String(decoding: input, as: UTF8.self)
            do {
                let updates = try PushUpdate.parse(text)
                for update in updates {
                    try fuzzCheck(PushUpdate.referenceProblem(update.reference) == nil && LibGit2.isValidReferenceName(update.reference),
                                  "a reference git refuses was accepted: \(update.reference.debugDescription)", input: input)
                    _ = update.kind
                }
            } catch let error as IntakeError {
                let message = "\(error)"
                try fuzzCheck(message.hasPrefix("post-receive input line "), "an error without its line: \(message)", input: input)
                try fuzzCheck(!message.unicodeScalars.contains { $0.value < 0x20 }, "a control character in the message: \(message.debugDescription)", input: input)
            }
            return input.count
        }
    }

    @Test("config loading: a home whose configs are mutated loads, or reports problems that each name a file and a field")
    func configLoading() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-fuzz-home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = Home(root: root)
        let experiment = home.experimentConfigsDirectory.appending(path: "exp")
        try FileManager.default.createDirectory(atPath: experiment, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: (home.effectiveConfigFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let corpus = FuzzCorpus.configSeeds + FuzzCorpus.experimentSeeds
        await FuzzRun("config-loading", defaultCases: 1500).run { random in
            let config = Int.random(in: 0..<4, using: &random) == 0 ? FuzzCorpus.configSeeds[0]
                : FuzzMutator.mutate(FuzzCorpus.configSeeds.randomElement(using: &random)!, corpus: corpus, random: &random)
            let experimentConfig = Int.random(in: 0..<2, using: &random) == 0 ? FuzzCorpus.experimentSeeds[0]
                : FuzzMutator.mutate(FuzzCorpus.experimentSeeds.randomElement(using: &random)!, corpus: corpus, random: &random)
            try config.write(to: URL(fileURLWithPath: home.effectiveConfigFile))
            try experimentConfig.write(to: URL(fileURLWithPath: experiment.appending(path: "config.json")))
            let (loaded, problems) = HomeConfig.read(from: home)
            try fuzzCheck(loaded != nil || !problems.isEmpty, "no config and no problem", input: config)
            let check = HomeCheck(home: home)
            for problem in problems + check.problems {
                let text = "\(problem)"
                try fuzzCheck(!text.unicodeScalars.contains { $0.value == 0x1B || $0 == "\n" }, "a problem that spans lines or drives the terminal: \(text.debugDescription)", input: config + experimentConfig)
                try fuzzCheck(!problem.file.isEmpty && text.unicodeScalars.starts(with: (problem.file + ": ").unicodeScalars) && !problem.field.isEmpty && !problem.problem.isEmpty, "a problem that names nothing: \(text)", input: config + experimentConfig)
            }
            return config.count + experimentConfig.count
        }
    }
}
