import Foundation

/// The home's top-level config: the Relay Dashboard's fields and BenchBot's own section.
public struct HomeConfig: Sendable, Hashable {
    /// The Relay Dashboard fields, under their Relay names in the file.
    public var dashboard: DashboardSettings
    /// BenchBot's settings, under `"benchbot"` in the file.
    public var benchbot: BenchBotSettings
}

/// The top-level fields the Relay Dashboard documents.
public struct DashboardSettings: Sendable, Hashable {
    /// `tmp_data_dir`: raw experiment data.
    public var temporaryDataDirectory: String
    /// `backup_dir`: archives of the home before and after each run.
    public var backupDirectory: String
    /// `setup_dir`: what experiments' `setup.sh` leave for later runs.
    public var setupDirectory: String
    public var runCPUTelemetry: Bool = false
    public var runGPUTelemetry: Bool = false
    /// Seconds between telemetry samples; negative turns telemetry off.
    public var telemetryRate: Int = 15
    /// Run experiments in random order (Relay's default) instead of by priority.
    public var randomize: Bool = true
}

/// BenchBot's own settings.
public struct BenchBotSettings: Sendable, Hashable {
    public var repository: RepositorySettings
    /// The class of machine results are measured on here (`x86-avx512`, `arm64`): jobs, baselines
    /// and change points are per class, and a commit measured on two classes is never compared
    /// across them. `benchbot.machine` is the class, or `{"name": …, "class": …}`.
    public var machine: String
    /// This machine's own name, for `status` and messages; its host name unless set.
    public var machineName: String = ProcessInfo.processInfo.hostName
    /// The classes that measure each commit queued here (`benchbot.machines`); only this
    /// machine's class when empty. Every class gets a job per commit, and its workers take them.
    public var machines: [String] = []

    /// The classes that measure each commit queued here.
    public var measuringClasses: [String] { machines.isEmpty ? [machine] : machines }
    /// The suite's name; jobs are unique per repository, commit, suite and machine.
    public var suite: String = "default"
    public var build: BuildSettings = BuildSettings()
    public var store: StoreSettings = StoreSettings()
    public var intake: IntakeSettings = IntakeSettings()
    public var runner: RunnerSettings = RunnerSettings()
    public var compare: CompareSettings = CompareSettings()
    /// `nil` when nobody is to be told anything.
    public var notify: NotifySettings?
    public var site: SiteSettings = SiteSettings()
    /// How GitHub's webhooks and pull requests drive BenchBot.
    public var github: GitHubSettings = GitHubSettings()
    /// `benchbot serve`.
    public var serve: ServeSettings = ServeSettings()
    /// Where experiment scripts live (`<dir>/<experiment>/run.sh` …).
    public var experimentsDirectory: String = "experiments"
    /// Where subsystem scripts live (`<dir>/<subsystem>/run.sh`).
    public var subsystemsDirectory: String = "subsystem"
    /// Whether the script folders are inside the project's checkout or in the home.
    public var scriptsLocation: ScriptsLocation = .home
}

public enum ScriptsLocation: String, Sendable, Hashable, CaseIterable {
    /// Paths are relative to the home, as relay-bench keeps experiments apart from the project.
    case home
    /// Paths are relative to the project's checkout, so benchmarks version with the code.
    case checkout
}

public struct RepositorySettings: Sendable, Hashable {
    /// A short name used for the mirror's folder and in the store.
    public var name: String
    /// The project's remote: a URL, an scp-style address or a local path.
    public var url: String
    /// The branches every commit of which is benchmarked.
    public var branches: [String] = ["main"]
}

public struct BuildSettings: Sendable, Hashable {
    public enum Command: Sendable, Hashable {
        /// No build step: the experiments build what they need.
        case none
        /// An argument vector, run without a shell.
        case arguments([String])
        /// A line for `sh -c`, accepted only because the operator wrote it in their own config.
        case shell(String)
    }

    public var command: Command = .none
    public var timeout: Duration = .seconds(3600)
}

public struct StoreSettings: Sendable, Hashable {
    /// The SQLite file, relative to the home unless absolute.
    public var path: String = "benchbot.sqlite"
    /// How long to wait for another BenchBot process's write lock.
    public var busyTimeout: Duration = .seconds(10)
    /// A PostgreSQL database shared by many machines, instead of the SQLite file.
    public var url: PostgresLocation?
    /// The variable holding the database's password.
    public var passwordEnvironment: String?
    /// A file holding it instead; without either, `~/.pgpass` (or `$PGPASSFILE`) is read, as libpq reads it.
    public var passwordFile: String?

    public init() {}
}

public struct IntakeSettings: Sendable, Hashable {
    public enum BranchDeletion: String, Sendable, Hashable, CaseIterable {
        /// Keep the deleted branch's queued jobs.
        case ignore
        /// Cancel the deleted branch's queued jobs.
        case cancel
    }

    /// Follow only first parents: benchmark a branch's own commits, not every commit of a merged
    /// feature branch.
    public var firstParent: Bool = true
    /// Queue pushed tags' commits too.
    public var tags: Bool = false
    /// Branches the hook accepts, as shell-style patterns (`*`, `release/*`).
    public var hookBranches: [String] = ["*"]
    public var onBranchDelete: BranchDeletion = .ignore
    /// How many workers may die on a job before it fails for good.
    public var maxAttempts: Int = 3
    /// The deadline for each fetch.
    public var fetchTimeout: Duration = .seconds(600)
}

/// How changes are judged and followed up.
public struct CompareSettings: Sendable, Hashable {
    /// The smallest relative change that matters, suite-wide: 0.01 is 1%.
    public var minimumEffect: Double = 0.01
    /// Per-benchmark overrides of ``minimumEffect``, by the names `benchbot results` prints.
    public var minimumEffects: [String: Double] = [:]
    /// relay-bench's `score`: count the benchmarks at least this many times better than the baseline.
    public var scoreSpeedup: Double = 1.1
    /// relay-bench's `stat_alert`, for its users: off unless set.
    public var statAlert: StatAlertSettings?
    /// The false discovery rate the tests of two separate runs are held to across the suite.
    public var falseDiscoveryRate: Double = 0.05
    /// The same for the rounds of a paired A/B job, stricter because every pull request gets one.
    public var pairedFalseDiscoveryRate: Double = 0.01
    /// Bisect a change point that falls after unmeasured commits by queuing their midpoints.
    public var automaticBisection: Bool = false
    /// The rounds of a paired A/B job: each round runs a Relay stage experiment, or launches a
    /// command experiment, once per side. A command's `repeat` raises it. The rounds' trimmed-mean test needs 5,
    /// and its power grows with each round.
    public var pairedRounds: Int = 10
    /// Whether a suspected change on the tracked branch is re-measured before it is announced.
    public var confirm: Confirmation = .paired

    /// How a suspected change on the tracked branch is confirmed before anyone is told.
    public enum Confirmation: String, Sendable, Hashable, CaseIterable {
        /// Held until a paired A/B job of the culprit against its parent agrees.
        case paired
        /// Announced at once, except a run-to-run alert before a benchmark's noise is known.
        case none
    }

    public struct StatAlertSettings: Sendable, Hashable {
        public var deviations: Double = 1
        public var windowDays: Double = 14
    }
}

public struct RunnerSettings: Sendable, Hashable {
    /// The deadline of each experiment stage and subsystem, unless their config sets `timeout`.
    public var stageTimeout: Duration = .seconds(3600)
    /// How long a job's lease lasts between heartbeats; a worker renews it every third of this.
    public var leaseDuration: Duration = .seconds(300)
    /// Bytes of each build or stage log kept on disk.
    public var logLimit: Int = 8 << 20
    /// Backups of the home kept in `backup_dir`; older ones are deleted.
    public var backupsKept: Int = 14
    /// relay-bench's shared helpers, passed to scripts as `BENCHMARK_DEPS`; resolved like the
    /// scripts' folders.
    public var depsDirectory: String = "shared"
    /// Variables that builds and stages see although their names look secret, such as a
    /// benchmark's own `MY_API_KEY`.
    public var passEnvironment: [String] = []
    /// The argument vector every command of an untrusted job (a fork's pull request run on a
    /// maintainer's command) is run under, such as bubblewrap with the network unshared; its
    /// placeholders `{checkout}`, `{scripts}`, `{data}` and `{deps}` are filled in per command.
    /// `nil` runs such jobs unsandboxed, though still with no secret and in a checkout of their own.
    public var untrustedWrapper: [String]? = nil
}
