import BenchBot
import Foundation
import Testing

/// The worker brings the site up to date after each job, so that what it sends links to pages that exist.
@Suite("Worker updates the site")
struct WorkerSiteTests {
    @Test("after a job, its commit's page and its benchmark's graph are in benchbot.site.folder, and nothing is printed about it; a folder it cannot write is named, the job still succeeds")
    func siteAfterEachJob() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            #expect(!output.contains("site"), "nothing said when the site was updated: \(output)")
            let site = fixture.home.appending(path: "results/subsystem/output/website")
            let head = try await fixture.git.head("main")
            for page in ["index.html", "commit/\(head).html", SiteLayout.graphPath(benchmark: "size.loop", tracked: true, baseline: "", candidate: head)] {
                #expect(FileManager.default.fileExists(atPath: site.appending(path: page)), "\(page) exists once the job is done")
            }
            _ = try SiteTests.checkLinks(in: site)

            // Someone else's files in the folder: the site is not replaced, the worker says so, the job is stored.
            let foreign = root.appending(path: "foreign")
            try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
            try "mine".write(toFile: foreign.appending(path: "notes.txt"), atomically: true, encoding: .utf8)
            try fixture.setBenchBotSection("site", ["folder": foreign])
            try "#define ITERATIONS 2000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "second")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let refused = try await BenchBotProcess.run(["work", "--home", fixture.home])
            #expect(refused.succeeded, "\(refused.standardError)")
            #expect((refused.standardOutput + refused.standardError).contains("site: not updated") && (refused.standardOutput + refused.standardError).contains("not a BenchBot site"),
                    "\(refused.standardOutput)\(refused.standardError)")
            #expect(try String(contentsOfFile: foreign.appending(path: "notes.txt"), encoding: .utf8) == "mine")
        }
    }
}
