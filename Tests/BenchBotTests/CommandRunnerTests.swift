import BenchBot
import Foundation
import Testing

@Suite("Process runner")
struct CommandRunnerTests {
    @Test("output, exit status and arguments pass through without a shell")
    func basics() async throws {
        let result = try await CommandRunner.run("printf", arguments: ["%s|", "a b", "$HOME;rm -rf /"], timeout: .seconds(10))
        #expect(result.succeeded)
        #expect(result.standardOutput == "a b|$HOME;rm -rf /|")
        let failing = try await CommandRunner.run("sh", arguments: ["-c", "echo oops >&2; exit 3"], timeout: .seconds(10))
        #expect(failing.status == 3 && failing.standardError == "oops\n")
        await #expect(throws: CommandError.self) { try await CommandRunner.run("/nonexistent/tool", timeout: .seconds(10)) }
    }

    @Test("a command past its deadline is stopped and reported as timed out")
    func timeout() async throws {
        let result = try await CommandRunner.run("sleep", arguments: ["30"], timeout: .milliseconds(300), gracePeriod: .milliseconds(200))
        #expect(result.timedOut && !result.succeeded)
        #expect(result.duration < .seconds(20))
    }

    @Test("stopping a command kills its whole process group, grandchildren that ignore SIGTERM included")
    func cancellationKillsProcessGroup() async throws {
        try await withTemporaryDirectory { root in
            let fifo = root.appending(path: "grandchild.fifo")
            #expect(mkfifo(fifo, 0o600) == 0)
            let script = "sh -c 'trap \"\" TERM; echo $$ > \(fifo); while :; do sleep 1; done' & wait"
            let run = Task {
                try await CommandRunner.run("sh", arguments: ["-c", script], timeout: .seconds(600), gracePeriod: .milliseconds(200))
            }
            // Opening a FIFO blocks until the grandchild writes to it: no sleeping to synchronise.
            let written = await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    let data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                }
            }
            let pid = try #require(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(!isGone(pid))
            run.cancel()
            _ = try await run.value
            #expect(isGone(pid), "grandchild \(pid) survived")
        }
    }

    /// A killed process is gone, or a zombie waiting for init to reap it.
    private func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}
