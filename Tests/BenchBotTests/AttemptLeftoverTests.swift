import BenchBot
import Foundation
import Testing

@Suite("Leftovers of killed attempts")
struct AttemptLeftoverTests {
    @Test("a worker killed after an experiment's data file is written: the next attempt removes it, and one data file per stored run stays")
    func killedAttemptDataFile() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let ready = try FIFO(root.appending(path: "ready"))
            defer { ready.close() }
            var stages = RunnerFixture.timingStages
            // The first attempt stops in visualize.sh, after analysis wrote the data file, until it is killed.
            stages["visualize.sh"] = """
                #!/bin/sh
                if [ ! -e "\(root)/visualized-once" ]; then
                    touch "\(root)/visualized-once"
                    echo ready > "\(ready.path)"
                    exec sleep 600
                fi
                echo '{"success": true, "message": ""}' > "$3/status.json"
                """
            try fixture.addExperiment("loop", scripts: stages)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])

            let data = fixture.home.appending(path: "results/experiments/data/loop")
            let first = try KillableBenchBot(["work", "--verbose", "--home", fixture.home])
            #expect(await ready.readLine() == "ready")
            #expect(try FileManager.default.contentsOfDirectory(atPath: data).count == 1, "the killed attempt's data file is there")
            first.kill()
            _ = try await first.finish()

            let second = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(second.status == 0, "\(second.standardOutput)\(second.standardError)")
            let runs = try await fixture.store().runs(repository: "origin", commit: ObjectID(hex: try await fixture.git.head())!)
            let files = try FileManager.default.contentsOfDirectory(atPath: data).filter { !$0.hasPrefix(".") }
            #expect(runs.count == 1 && files.count == 1, "\(runs.count) run(s), files \(files)")
            #expect(files.first.map { name in runs.contains { name.hasSuffix("_\(Int64($0.startedAt.timeIntervalSince1970 * 1000)).json") } } == true,
                    "the file left is the stored run's: \(files)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: data).allSatisfy { !$0.hasPrefix(".") }, "no temporary file is left")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "cache/attempts"))) ?? []).isEmpty)
        }
    }
}
