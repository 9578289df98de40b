import BenchBot
import Foundation
import Testing

@Suite("benchbot import")
struct ImportTests {
    @Test("results from a real Google Benchmark run are stored under the commit, as a run, with every sample")
    func importGoogleBenchmark() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            let file = (#filePath as NSString).deletingLastPathComponent.appending(path: "Fixtures/formats/google-benchmark.json")
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main~1", "--branch", "main",
                                                            "--format", "google-benchmark", file])
            #expect(output.contains("imported 5 result(s)"))
            let commit = try #require(ObjectID(hex: try await fixture.head("main~1")))
            let runs = try await SQLiteStore.open(path: home.appending(path: "benchbot.sqlite")).runs(repository: "origin", commit: commit)
            #expect(runs.count == 1)
            #expect(runs.first?.results.first { $0.displayName == "BM_Sum[arg0=8]" }?.samples.count == 3)
            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.map(\.source) == ["import"] && jobs.map(\.state) == ["done"])
        }
    }

    @Test("a folder of benchbot-json files, each naming its commit, imports them all")
    func importFolder() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 3)
            let folder = root.appending(path: "exports")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for back in 0..<3 {
                let sha = try await fixture.head("main~\(back)")
                try #"{"commit": "\#(sha)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(back + 1), \#(back + 2)]}]}"#
                    .write(toFile: folder.appending(path: "run-\(back).json"), atomically: true, encoding: .utf8)
            }
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
            #expect(output.split(separator: "\n").count == 3)
            #expect(try await BenchBotProcess.jobs(home: home).count == 3)
        }
    }

    @Test("a bad file among good ones stores nothing, and the message names the file, the format and the field")
    func badFileStoresNothing() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let good = root.appending(path: "good.json"), bad = root.appending(path: "bad.json")
            try #"{"benchmarks": [{"name": "a", "unit": "ns", "samples": [1]}]}"#.write(toFile: good, atomically: true, encoding: .utf8)
            try #"{"benchmarks": [{"name": "a", "unit": "ns", "samples": [1, "x"]}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
            let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "benchbot-json", good, bad])
            #expect(result.status == 1)
            #expect(result.standardError.contains("\(bad): benchbot-json: benchmarks[0].samples[1]: is a string"), "\(result.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("an import run again after an interruption stores each (commit, file content) once; new content for a stored series needs --replace")
    func importIsIdempotent() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 3)
            let folder = root.appending(path: "exports")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var shas: [String] = []
            for back in 0..<3 {
                shas.append(try await fixture.head("main~\(back)"))
                try #"{"commit": "\#(shas[back])", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(back + 1), 2]}]}"#
                    .write(toFile: folder.appending(path: "run-\(back).json"), atomically: true, encoding: .utf8)
            }
            // The interrupted first attempt got as far as one file.
            try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder.appending(path: "run-0.json")])
            let rerun = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
            #expect(rerun.components(separatedBy: "already imported: ").count == 2, "\(rerun)")
            #expect(rerun.components(separatedBy: "imported 1 result(s)").count == 3, "\(rerun)")
            try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
            let store = try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
            for sha in shas {
                #expect(try await store.runs(repository: "origin", commit: try #require(ObjectID(hex: sha))).count == 1)
            }
            // Changed content for the same commit measures a series the commit's run holds: only --replace stores it.
            try #"{"commit": "\#(shas[0])", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [9, 2]}]}"#
                .write(toFile: folder.appending(path: "run-0.json"), atomically: true, encoding: .utf8)
            let changed = try await BenchBotProcess.run(["import", "--home", home, "--format", "benchbot-json", folder.appending(path: "run-0.json")])
            #expect(changed.status == 1 && changed.standardError.contains("pass --replace"), "\(changed.standardError)")
            try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", "--replace", folder.appending(path: "run-0.json")])
            let replaced = try await store.runs(repository: "origin", commit: try #require(ObjectID(hex: shas[0])))
            #expect(replaced.count == 1 && replaced.first?.results.first?.samples == [9, 2])
        }
    }

    @Test("names holding U+0000 or other control characters are refused, naming the character, and nothing is stored")
    func controlCharactersInNames() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            for (index, name) in [#"q\u0000b"#, #"q\u001b[31m"#, #"q\u0085"#].enumerated() {
                let file = root.appending(path: "names-\(index).json")
                try #"{"benchmarks": [{"name": "\#(name)", "unit": "ns", "samples": [1, 2, 3]}, {"name": "q", "unit": "ns", "samples": [100]}]}"#
                    .write(toFile: file, atomically: true, encoding: .utf8)
                let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "benchbot-json", file])
                #expect(result.status == 1 && result.standardError.contains("control character U+00") && result.standardError.contains(file),
                        "\(result.standardError)")
                #expect(!result.standardError.contains("\u{1B}"))
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("a file that names no commit, after one that does, stops the import before anything is stored")
    func unnamedCommitStoresNothing() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let folder = root.appending(path: "exports")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let sha = try await fixture.head("main")
            try #"{"commit": "\#(sha)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [1, 2]}]}"#
                .write(toFile: folder.appending(path: "a.json"), atomically: true, encoding: .utf8)
            try #"{"benchmarks": [{"name": "parse", "unit": "ms", "samples": [1, 2]}]}"#
                .write(toFile: folder.appending(path: "b.json"), atomically: true, encoding: .utf8)
            let result = try await BenchBotProcess.run(["import", "--home", home, "--format", "benchbot-json", folder])
            #expect(result.status != 0 && result.standardError.contains("b.json") && result.standardError.contains("names no commit"),
                    "\(result.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("a file of more series than one run may store is refused, naming the limit, and nothing is stored")
    func tooManySeries() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let file = root.appending(path: "many.json")
            let fields = (0...100_000).map { #""k\#($0)": {"samples": [1, 2]}"# }.joined(separator: ",")
            try "{\(fields)}".write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "relay-data", file])
            #expect(result.status == 1 && result.standardError.contains("100001 series, more than the 100000"), "\(result.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }
}
