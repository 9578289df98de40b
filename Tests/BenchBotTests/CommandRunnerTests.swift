import BenchBot
import Foundation
import Testing

@Suite("Process runner")
struct CommandRunnerTests {
    @Test("output, exit status and arguments pass through without a shell")
    func basics() async throws {
        // Generous deadlines: at the start of the whole suite, a hundred suites spawn processes on 2
        // cores at once, and a printf has been seen to take 18 s to be started and reaped.
        let result = try await CommandRunner.run("printf", arguments: ["%s|", "a b", "$HOME;rm -rf /"], timeout: .seconds(120))
        #expect(result.succeeded)
        #expect(result.standardOutput == "a b|$HOME;rm -rf /|")
        let failing = try await CommandRunner.run("sh", arguments: ["-c", "echo oops >&2; exit 3"], timeout: .seconds(120))
        #expect(failing.status == 3 && failing.standardError == "oops\n")
        await #expect(throws: CommandError.self) { try await CommandRunner.run("/nonexistent/tool", timeout: .seconds(10)) }
    }

    @Test("a command past its deadline is stopped and reported as timed out")
    func timeout() async throws {
        // Left alone, the sleep would take 300 s; stopped, it takes well under 120 s however loaded the machine is.
        let result = try await CommandRunner.run("sleep", arguments: ["300"], timeout: .milliseconds(300), gracePeriod: .milliseconds(200))
        #expect(result.timedOut && !result.succeeded)
        #expect(result.duration < .seconds(120))
    }

    @Test("stopping a command kills its whole process group, grandchildren that ignore SIGTERM included")
    func cancellationKillsProcessGroup() async throws {
        try await withTemporaryDirectory { root in
            let pidFIFO = root.appending(path: "pid.fifo"), lifeFIFO = root.appending(path: "life.fifo")
            #expect(mkfifo(pidFIFO, 0o600) == 0 && mkfifo(lifeFIFO, 0o600) == 0)
            // The grandchild ignores SIGTERM and holds lifeFIFO open for writing until it dies.
            let script = "sh -c 'trap \"\" TERM; exec 3>\(lifeFIFO); echo $$ > \(pidFIFO); while :; do sleep 1; done' & wait"
            let run = Task {
                try await CommandRunner.run("sh", arguments: ["-c", script], timeout: .seconds(600), gracePeriod: .milliseconds(200))
            }
            // FIFOs block until both ends are open: this synchronises with the grandchild without sleeping.
            let (lifeDescriptor, written) = await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    let life = open(lifeFIFO, O_RDONLY)
                    let data = FileHandle(forReadingAtPath: pidFIFO)?.readDataToEndOfFile() ?? Data()
                    continuation.resume(returning: (life, String(decoding: data, as: UTF8.self)))
                }
            }
            defer { close(lifeDescriptor) }
            let pid = try #require(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(!isGone(pid))

            run.cancel()
            _ = try await run.value
            // Only exiting closes the grandchild's write end, so a hang-up proves it died; 10 s bounds a failure.
            var descriptor = pollfd(fd: lifeDescriptor, events: Int16(POLLIN), revents: 0)
            #expect(poll(&descriptor, 1, 10_000) == 1 && descriptor.revents & Int16(POLLHUP) != 0, "grandchild \(pid) outlived its command")
        }
    }

    /// A killed process is gone, or a zombie waiting for init to reap it.
    private func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}
