import Compare
import Foundation
import Testing

/// One fuzz target's run: a seeded stream of cases, each with its own seed, so that any failing
/// case is replayed alone with `BENCHBOT_FUZZ_SEED=<its seed> BENCHBOT_FUZZ_CASES=1`.
///
/// The bounded run of `swift test` makes `defaultCases` cases per target from a fixed seed; a
/// longer run sets `BENCHBOT_FUZZ_CASES` (and a fresh `BENCHBOT_FUZZ_SEED`) and filters on `Fuzz`.
struct FuzzRun: Sendable {
    /// What the properties check after each case; a failed one is reported with the case's seed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let target: String
    let cases: Int
    let seed: UInt64
    /// A case that takes longer than this, plus `perByte` for each byte of its input, is a hang.
    let deadline: Duration
    let perByte: Duration

    static let environment = ProcessInfo.processInfo.environment

    /// What `swift test --filter` needs to run this target again.
    let suiteFilter: String

    init(_ target: String, defaultCases: Int, deadline: Duration = .seconds(2), perByte: Duration = .microseconds(20), suiteFilter: String = "Fuzz") {
        self.target = target
        self.suiteFilter = suiteFilter
        // A target's share of a long run follows its default's: the slow targets stay proportionate.
        if let given = Self.environment["BENCHBOT_FUZZ_CASES"].flatMap(Int.init), given > 0 {
            cases = given == 1 ? 1 : max(1, Int(Double(given) * Double(defaultCases) / 2000))
        } else {
            cases = defaultCases
        }
        seed = Self.environment["BENCHBOT_FUZZ_SEED"].flatMap { UInt64($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0, radix: $0.hasPrefix("0x") ? 16 : 10) }
            ?? 0x0B0E_BE4C_F022_5EED
        self.deadline = deadline
        self.perByte = perByte
    }

    /// Runs `body` once per case with that case's generator; stops at the first failure.
    ///
    /// The cases run on a thread of their own: a synchronous loop of many seconds on Swift's
    /// cooperative pool (two threads on two cores) would starve every other suite's awaits, and
    /// their timeouts would fire.
    ///
    /// - Parameter body: Makes the case's input, runs the target and checks the properties;
    ///   returns the input's size in bytes, for the deadline.
    func run(_ body: @escaping (inout SplitMix64) throws -> Int) async {
        let work = UncheckedTransfer(body)
        let failure: String? = await withCheckedContinuation { continuation in
            let thread = Thread {
                // Thousands of cases per format keep a core busy for minutes: at the lowest
                // priority they take only what the suite's timed tests leave. Hangs are judged in
                // CPU time, so waiting for the core does not count against a case.
                // On Linux the nice value is per thread, and 0 names the calling one.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                continuation.resume(returning: self.loop(work.value))
            }
            // Room for the parser's 512 levels of nesting in a debug build.
            thread.stackSize = 16 << 20
            thread.start()
        }
        if let failure { Issue.record(Comment(rawValue: failure)) }
    }

    /// The cases, one after another; the first failure's message, with the seed that replays it.
    private func loop(_ body: (inout SplitMix64) throws -> Int) -> String? {
        var seeds = SplitMix64(state: seed)
        let clock = ContinuousClock()
        defer { CrashNote.clear() }
        for index in 0..<cases {
            // The first case's seed is the run's own, so that a reported seed replays exactly that case.
            let caseSeed = index == 0 ? seed : seeds.next()
            var random = SplitMix64(state: caseSeed)
            let replay = "replay it with BENCHBOT_FUZZ_SEED=0x\(String(caseSeed, radix: 16)) BENCHBOT_FUZZ_CASES=1"
            CrashNote.set("fuzz target \(target) crashed in case \(index): \(replay) swift test --filter \(suiteFilter)\n")
            let start = clock.now, startCPU = Self.threadCPUTime()
            do {
                let size = try body(&random)
                // A hang spins, so the case's own CPU time judges it. The wall clock counts
                // whatever else the machine does: at nice 19 on a loaded CI machine one case
                // waited 30 s for a core while using 0.09 s of it. It is only reported.
                let cpu = Self.threadCPUTime() - startCPU, elapsed = clock.now - start
                if cpu > deadline + perByte * size {
                    return "fuzz \(target): case \(index) took \(cpu) of CPU, \(elapsed) in all, for \(size) bytes; \(replay)"
                }
            } catch {
                return "fuzz \(target): case \(index): \(error); \(replay)"
            }
        }
        return nil
    }

    /// The CPU time this thread has used.
    static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }

    /// The async form, for targets that store.
    func runAsync(_ body: (inout SplitMix64) async throws -> Int) async {
        var seeds = SplitMix64(state: seed)
        for index in 0..<cases {
            let caseSeed = index == 0 ? seed : seeds.next()
            var random = SplitMix64(state: caseSeed)
            CrashNote.set("fuzz target \(target) crashed in case \(index): replay it with "
                          + "BENCHBOT_FUZZ_SEED=0x\(String(caseSeed, radix: 16)) BENCHBOT_FUZZ_CASES=1 swift test --filter \(suiteFilter)\n")
            do {
                _ = try await body(&random)
            } catch {
                let message = "fuzz \(target): case \(index): \(error); replay it with BENCHBOT_FUZZ_SEED=0x\(String(caseSeed, radix: 16)) BENCHBOT_FUZZ_CASES=1"
                Issue.record(Comment(rawValue: message))
                break
            }
        }
        CrashNote.clear()
    }
}

/// Fails a case with a message; `context` is the input, shown escaped and cut.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, input: @autoclosure () -> Data) throws {
    guard !condition else { return }
    let bytes = input()
    let shown = String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription
    throw FuzzRun.Failure(description: "\(message()) — input (\(bytes.count) bytes): \(shown)\(bytes.count > 300 ? "…" : "")")
}

/// The line a crash prints: a trap inside a fuzz case kills the test process before any
/// `Issue` is written, so a signal handler writes which case and seed it was.
enum CrashNote {
    private static let capacity = 512
    /// Each fuzzing thread has a note of its own: targets run side by side, and the crashing
    /// thread is the one whose signal handler runs, so it writes its own case, not the latest one set.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            _ = Foundation.signal(signal) { number in
                if let buffer = pthread_getspecific(CrashNote.key)?.assumingMemoryBound(to: CChar.self) {
                    let length = strlen(buffer)
                    if length > 0 { _ = write(2, buffer, length) }
                }
                _ = Foundation.signal(number, SIG_DFL)
                _ = raise(number)
            }
        }
        return key
    }()

    /// This thread's buffer, made on first use; it lives as long as the process, as the handler may read it at any time.
    private static var buffer: UnsafeMutablePointer<CChar> {
        if let existing = pthread_getspecific(key) { return existing.assumingMemoryBound(to: CChar.self) }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
        pthread_setspecific(key, buffer)
        return buffer
    }

    static func set(_ note: String) {
        let buffer = buffer
        let utf8 = Array(note.utf8.prefix(capacity - 1))
        // Written length first, then the terminator: a handler never reads past the end.
        buffer[0] = 0
        for (index, byte) in utf8.enumerated().dropFirst() { buffer[index] = CChar(bitPattern: byte) }
        buffer[utf8.count] = 0
        if let first = utf8.first { buffer[0] = CChar(bitPattern: first) }
    }

    static func clear() {
        buffer[0] = 0
    }
}

/// Whether `text` starts with `prefix`, scalar by scalar. `String.hasPrefix` compares characters,
/// and a mutated name that begins with a combining mark joins the space before it into one
/// character, so an error that names its file and format would seem to name nothing.
func startsWith(_ text: String, _ prefix: String) -> Bool {
    text.unicodeScalars.starts(with: prefix.unicodeScalars)
}
