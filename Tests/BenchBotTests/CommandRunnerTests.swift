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

    @Test("at the deadline the whole process group dies, grandchildren included")
    func timeoutKillsProcessGroup() async throws {
        try await withTemporaryDirectory { root in
            let pidFile = root.appending(path: "grandchild.pid")
            // The grandchild ignores SIGTERM, so only the group-wide SIGKILL can stop it.
            let script = "sh -c 'trap \"\" TERM; echo $$ > \(pidFile); while :; do sleep 1; done' & wait"
            let result = try await CommandRunner.run("sh", arguments: ["-c", script], timeout: .milliseconds(500),
                                                     gracePeriod: .milliseconds(200))
            #expect(result.timedOut && !result.succeeded)
            let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(isGone(pid), "grandchild \(pid) survived the timeout")
        }
    }

    /// A killed process is gone, or a zombie waiting for init to reap it.
    private func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}
