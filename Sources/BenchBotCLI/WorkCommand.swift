import ArgumentParser
import BenchBot
import Foundation
import Logging
import Synchronization

struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Lease queued jobs and run them: check out, build, run the experiments, store the results.",
        discussion: """
            One worker runs per home; a second one exits 0 at once. A job whose worker died on this machine \
            is taken back, and what that worker left running is killed. A failed build fails its job for good; \
            failed experiments are recorded and the others go on. A config file that `benchbot check` rejects is \
            refused. A store or disk that cannot be written gives the job back to the queue and stops the worker \
            with exit 1; results no store can hold fail their job, and the worker exits 1 at the end.

            It prints a line per job and a line per change it announced or held; --verbose adds each \
            experiment and where each notification went (`benchbot status` counts those too). \
            --format json prints one JSON object per job, a line each, with the fields job, commit, subject, \
            branch, pull_request, baseline, source, succeeded, summary, changes, details, experiments \
            (name, succeeded, failed_stage, message) and results_not_stored.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Flag(name: .long, help: "Run at most one job.")
    var once = false

    @Flag(name: .long, help: "Run jobs until the queue is empty (the default).")
    var drain = false

    @Flag(name: .long, help: "Keep running, looking for jobs every --poll-interval seconds when the queue is empty.")
    var forever = false

    @Option(name: .long, help: "With --forever: seconds between looks at an empty queue (default 30).")
    var pollInterval: Double = 30

    @Flag(name: .shortAndLong, help: "Also print each experiment's outcome and where each notification went.")
    var verbose = false

    @Option(name: .long, help: "text (default), or json: one object per job, a line each.")
    var format: Format = .text

    func validate() throws {
        guard [once, drain, forever].filter({ $0 }).count <= 1 else { throw ValidationError("give at most one of --once, --drain, --forever") }
        if let problem = BoundedSeconds.standard.problem(pollInterval) { throw ValidationError("--poll-interval \(problem)") }
    }

    func run() async throws {
        try await homeOptions.withCheckedStore(measuring: true) { home, config, store in
            let worker = Worker(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            let mode: Worker.Mode = once ? .once : forever ? .forever(pollInterval: .seconds(pollInterval)) : .drain
            let ran: Bool
            let unstored = Mutex(0)
            do {
                ran = try await worker.run(mode) { [format, verbose] report in
                    switch format {
                    case .text: for line in report.lines + (verbose ? report.details : []) { reportLine(line) }
                    case .json: reportLine(String(decoding: report.json().compactJSON(), as: UTF8.self))
                    }
                    if report.resultsNotStored { unstored.withLock { $0 += 1 } }
                }
            } catch {
                // A store that cannot be written stops the worker: one line, and a status cron can see.
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
            if !ran { printError("another worker is running on \(home.display(home.root)); nothing to do") }
            let lost = unstored.withLock { $0 }
            if lost > 0 {
                printError("benchbot: \(lost) job(s) measured results that could not be stored; benchbot status shows why")
                throw ExitCode(1)
            }
        }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The nightly one-shot: back up the home, poll, drain the queue, run the subsystems, back up again.",
        discussion: "Exits 1 when a step failed; every step runs regardless.")

    @OptionGroup var homeOptions: HomeOptions

    func run() async throws {
        try await homeOptions.withCheckedStore(measuring: true) { home, config, store in
            let worker = Worker(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            let succeeded = await worker.runNightly { reportLine($0) }
            if !succeeded { throw ExitCode.failure }
        }
    }
}

/// Long-running commands report as they go: under systemd or cron, standard output is a pipe or
/// a file, fully buffered by `print`, and a stopped worker would lose its unflushed report.
private func reportLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
