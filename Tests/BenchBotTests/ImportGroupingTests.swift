import BenchBot
import Foundation
import Testing

/// `benchbot import` of several files for one commit, and of later files for a commit imported before.
@Suite("benchbot import: one run per commit")
struct ImportGroupingTests {
    /// Writes a benchbot-json file of `benchmarks` (name: samples), naming `commit` if given.
    @discardableResult
    static func write(_ path: String, commit: String? = nil, _ benchmarks: [(String, [Double])]) throws -> String {
        let entries = benchmarks.map { name, samples in
            #"{"name": "\#(name)", "unit": "ms", "samples": [\#(samples.map { String($0) }.joined(separator: ", "))]}"#
        }
        let named = commit.map { #""commit": "\#($0)", "# } ?? ""
        try "{\(named)\"benchmarks\": [\(entries.joined(separator: ", "))]}".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func runs(_ home: String, _ sha: String) async throws -> [StoredRun] {
        try await SQLiteStore.open(path: home.appending(path: "benchbot.sqlite")).runs(repository: "origin", commit: try #require(ObjectID(hex: sha)))
    }

    static func import_(_ home: String, _ arguments: [String]) async throws -> CommandResult {
        try await BenchBotProcess.run(["import", "--home", home, "--format", "benchbot-json"] + arguments)
    }

    @Test("two files for one commit form one run, and results, compare and the site show both files' benchmarks")
    func twoFilesOneRun() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            for (back, scale) in [(1, 1.0), (0, 2.0)] {
                let sha = try await fixture.head("main~\(back)")
                let parse = try Self.write(root.appending(path: "parse-\(back).json"), commit: sha, [("parse", [10 * scale, 10 * scale, 10 * scale])])
                let render = try Self.write(root.appending(path: "render-\(back).json"), commit: sha, [("render", [5, 5, 5])])
                let result = try await Self.import_(home, [parse, render])
                #expect(result.status == 0, "\(result.standardError)")
                #expect(result.standardOutput.contains("imported 2 result(s) from \(parse), \(render) for commit \(sha.prefix(10))"),
                        "\(result.standardOutput)")
                let runs = try await Self.runs(home, sha)
                #expect(runs.count == 1 && runs.first?.results.map(\.displayName) == ["parse", "render"])
            }
            let head = try await fixture.head("main"), parent = try await fixture.head("main~1")
            let results = try await BenchBotProcess.succeed(["results", "--home", home, head])
            #expect(results.contains("parse") && results.contains("render"), "\(results)")
            let compared = try await BenchBotProcess.succeed(["compare", "--home", home, parent, head])
            #expect(compared.split(separator: "\n").contains { $0.hasPrefix("parse") && $0.contains("+100.0%") }, "\(compared)")
            #expect(compared.split(separator: "\n").contains { $0.hasPrefix("render") }, "\(compared)")
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])
            #expect(try SiteTests.medians(in: site, slug: "parse") == [10, 20])
            #expect(try SiteTests.medians(in: site, slug: "render") == [5, 5])
        }
    }

    @Test("the same benchmark in two files of one commit is refused, naming both files, and nothing is stored")
    func sameBenchmarkInTwoFiles() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let first = try Self.write(root.appending(path: "first.json"), [("parse", [1]), ("render", [2])])
            let second = try Self.write(root.appending(path: "second.json"), [("parse", [3])])
            let result = try await Self.import_(home, ["--commit", "main", first, second])
            #expect(result.status == 1 && result.standardError.contains("\(second): benchmark 'parse' is also in \(first)"),
                    "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1)
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("a later import adds its benchmarks to the commit's run; one it holds already is refused unless --replace, which replaces the run")
    func laterImportAddsOrReplaces() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let sha = try await fixture.head("main")
            let parse = try Self.write(root.appending(path: "parse.json"), [("parse", [1, 2])])
            let render = try Self.write(root.appending(path: "render.json"), [("render", [3, 4])])
            let again = try Self.write(root.appending(path: "again.json"), [("parse", [7, 8])])
            let site = root.appending(path: "site")
            #expect(try await Self.import_(home, ["--commit", "main", parse]).status == 0)
            // The site, built between the imports, must not keep the run as it was.
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])

            let added = try await Self.import_(home, ["--commit", "main", render])
            #expect(added.status == 0 && added.standardOutput.contains("imported 1 result(s) from \(render) for commit \(sha.prefix(10)) (added to run"),
                    "\(added.standardOutput)\(added.standardError)")
            var runs = try await Self.runs(home, sha)
            #expect(runs.count == 1 && runs.first?.results.map(\.displayName) == ["parse", "render"])
            #expect(runs.first?.environment["imported_from"] == "\(parse), \(render)")
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])
            #expect(try SiteTests.medians(in: site, slug: "render") == [3.5])

            let clash = try await Self.import_(home, ["--commit", "main", again])
            #expect(clash.status == 1 && clash.standardError.contains(again) && clash.standardError.contains("'parse' is already in run")
                        && clash.standardError.contains("pass --replace"), "\(clash.standardError)")
            runs = try await Self.runs(home, sha)
            #expect(runs.count == 1 && runs.first?.results.count == 2)

            let replaced = try await Self.import_(home, ["--commit", "main", "--replace", again])
            #expect(replaced.status == 0 && replaced.standardOutput.contains("(replaced run"), "\(replaced.standardOutput)\(replaced.standardError)")
            runs = try await Self.runs(home, sha)
            #expect(runs.count == 1 && runs.first?.results.map(\.displayName) == ["parse"] && runs.first?.results.first?.samples == [7, 8])
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])
            #expect(try SiteTests.medians(in: site, slug: "parse") == [7.5])

            let rerun = try await Self.import_(home, ["--commit", "main", "--replace", again])
            #expect(rerun.status == 0 && rerun.standardOutput.contains("already imported: \(again)") && rerun.standardOutput.contains("nothing stored"),
                    "\(rerun.standardOutput)")
            #expect(try await Self.runs(home, sha).map(\.id) == runs.map(\.id))
        }
    }

    @Test("a clash in the second commit of an import stores nothing for the first either")
    func clashStoresNothing() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            let first = try await fixture.head("main~1"), second = try await fixture.head("main")
            #expect(try await Self.import_(home, [try Self.write(root.appending(path: "old.json"), commit: second, [("parse", [1])])]).status == 0)
            let folder = root.appending(path: "exports")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Self.write(folder.appending(path: "a.json"), commit: first, [("parse", [1])])
            try Self.write(folder.appending(path: "b.json"), commit: second, [("parse", [2])])
            let result = try await Self.import_(home, [folder])
            #expect(result.status == 1 && result.standardError.contains("b.json") && result.standardError.contains("pass --replace"),
                    "\(result.standardError)")
            #expect(try await Self.runs(home, first).isEmpty)
            #expect(try await Self.runs(home, second).first?.results.first?.samples == [1])
        }
    }

    @Test("an import run again stores nothing and says so; run again with one more file, it adds only that file")
    func rerunAddsOnlyNewFiles() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let sha = try await fixture.head("main")
            let parse = try Self.write(root.appending(path: "parse.json"), [("parse", [1, 2])])
            let render = try Self.write(root.appending(path: "render.json"), [("render", [3, 4])])
            #expect(try await Self.import_(home, ["--commit", "main", parse]).status == 0)
            let both = try await Self.import_(home, ["--commit", "main", parse, render])
            #expect(both.status == 0 && both.standardOutput.contains("already imported: \(parse)")
                        && both.standardOutput.contains("imported 1 result(s) from \(render)"), "\(both.standardOutput)\(both.standardError)")
            let rerun = try await Self.import_(home, ["--commit", "main", parse, render])
            let run = try #require(try await Self.runs(home, sha).first)
            #expect(rerun.status == 0 && rerun.standardOutput == "already imported: \(parse), \(render) for commit \(sha.prefix(10)) (run \(run.id)); nothing stored\n",
                    "\(rerun.standardOutput)")
            #expect(try await Self.runs(home, sha).map { $0.results.map(\.displayName) } == [["parse", "render"]])
        }
    }
}
