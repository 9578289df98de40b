import Compare
import Foundation
import BenchBot
import Logging
import Testing

/// A mutated file given to import is stored whole or not at all, as the store's own counts show.
@Suite("Fuzz: import", .serialized)
struct FuzzImportTests {
    @Test("import stores all of a fuzzed file's results or nothing")
    func importAllOrNothing() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, homePath) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let commit = try await fixture.head()
            let home = Home(root: homePath)
            let config = try HomeConfig.load(from: home)
            let store = try SQLiteStore.open(path: home.resolvePath(config.benchbot.store.path))
            let intake = Intake(home: home, config: config, store: store, logger: Logger(label: "fuzz"))
            let id = try #require(ObjectID(hex: commit))
            let formats: [BenchmarkFormat] = [.benchbotJSON, .relayData, .googleBenchmark, .hyperfine, .goTest]
            let file = root.appending(path: "results.data")
            await FuzzRun("import", defaultCases: 100).runAsync { random in
                let format = formats.randomElement(using: &random)!
                let seeds = FuzzCorpus.formatSeeds[format.rawValue]!
                var input = FuzzMutator.mutate(FuzzCorpus.seed(seeds, random: &random), corpus: seeds, random: &random)
                // A commit the file names must be this home's, or the case tests only the lookup.
                input = Data(String(decoding: input, as: UTF8.self).replacingOccurrences(of: "0123456789abcdef0123456789abcdef01234567", with: commit).utf8)
                try input.write(to: URL(fileURLWithPath: file))
                let before = try await store.runs(repository: config.benchbot.repository.name, commit: id)
                let jobsBefore = try await store.countJobs()
                let parsed: [Intake.ImportFile]
                do {
                    parsed = try Intake.readResults([file], format: format)
                } catch {
                    try fuzzCheck("\(error)".contains(file), "an error that does not name the file: \(error)", input: input)
                    let after = try await store.runs(repository: config.benchbot.repository.name, commit: id)
                    try fuzzCheck(after.count == before.count, "a refused file stored a run", input: input)
                    return input.count
                }
                do {
                    _ = try await intake.importResults(parsed, commit: commit, branch: nil)
                    let after = try await store.runs(repository: config.benchbot.repository.name, commit: id)
                    try fuzzCheck(after.count == before.count + 1, "\(after.count - before.count) runs stored for one file", input: input)
                    try fuzzCheck(after.last?.results.count == parsed.first?.results.count,
                                  "\(after.last?.results.count ?? 0) of \(parsed.first?.results.count ?? 0) results stored", input: input)
                } catch {
                    let after = try await store.runs(repository: config.benchbot.repository.name, commit: id)
                    let jobsAfter = try await store.countJobs()
                    try fuzzCheck(after.count == before.count && jobsAfter == jobsBefore, "a failed import left \(after.count - before.count) run(s): \(error)", input: input)
                }
                return input.count
            }
        }
    }
}
