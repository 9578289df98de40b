public import Compare
public import Foundation
public import Notify

/// One benchmark's measurements from one run.
public struct BenchmarkResult: Sendable, Hashable, Codable {
    /// The benchmark's name without its parameters, such as `parse`.
    public var benchmark: String
    /// Parameters kept apart from the name, such as `["size": "1024"]`.
    public var parameters: [String: String]
    public var unit: String
    public var direction: Direction
    /// Every sample, in the order measured: statistics need them all, not a mean.
    public var samples: [Double]
    /// For a half of a paired A/B run: how many of `samples` each round gave, in order, so that the
    /// comparison can pair the rounds; `nil` otherwise.
    public var rounds: [Int]?

    public init(benchmark: String, parameters: [String: String] = [:], unit: String, direction: Direction, samples: [Double],
                rounds: [Int]? = nil) {
        self.benchmark = benchmark
        self.parameters = parameters
        self.unit = unit
        self.direction = direction
        self.samples = samples
        self.rounds = rounds
    }
}

/// A finished run, as a worker reports it.
public struct RunRecord: Sendable, Hashable {
    public var jobID: Int64
    public var worker: String
    public var startedAt: Date
    public var finishedAt: Date
    /// What the run ran on: compiler, kernel, CPU governor and so on.
    public var environment: [String: String]
    public var results: [BenchmarkResult]
    /// Each experiment's outcome, failed ones included.
    public var experiments: [ExperimentOutcome]
    /// CPU and GPU telemetry of the experiments that recorded it.
    public var telemetry: [TelemetryRecord]
    /// For a paired A/B job: the baseline's results, measured alternately with these.
    public var pairedBaseline: PairedBaseline?
    /// What to tell people about this run, queued in the transaction that stores it.
    public var notifications: [OutgoingMessage] = []
    /// Changes this run suspects and holds back, with the job that will confirm them, stored in its transaction.
    public var suspicion: Suspicion? = nil
    /// For a confirmation job: how it decided its held suspects, stored in its transaction with
    /// the announcements of those it confirmed.
    public var resolutions: [SuspectResolution] = []

    /// The other half of a paired A/B run.
    public struct PairedBaseline: Sendable, Hashable {
        public var commit: ObjectID
        public var results: [BenchmarkResult]

        public init(commit: ObjectID, results: [BenchmarkResult]) {
            self.commit = commit
            self.results = results
        }
    }

    public init(
        jobID: Int64, worker: String, startedAt: Date, finishedAt: Date, environment: [String: String],
        results: [BenchmarkResult], experiments: [ExperimentOutcome] = [], telemetry: [TelemetryRecord] = [],
        pairedBaseline: PairedBaseline? = nil
    ) {
        self.telemetry = telemetry
        self.pairedBaseline = pairedBaseline
        self.jobID = jobID
        self.worker = worker
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.environment = environment
        self.results = results
        self.experiments = experiments
    }

    /// What `benchbot status` shows for the job: nothing when every experiment succeeded.
    var failureSummary: String? {
        let failed = experiments.filter { !$0.succeeded }
        guard !failed.isEmpty else { return nil }
        let names = failed.map { "\($0.experiment) (\($0.failedStage ?? "?"))" }.joined(separator: ", ")
        return "\(failed.count) of \(experiments.count) experiment(s) failed: \(names)"
    }
}

/// A run as the store returns it.
public struct StoredRun: Sendable, Hashable {
    public let id: Int64
    public let jobID: Int64
    public let commit: ObjectID
    public let machine: String
    public let suite: String
    public let startedAt: Date
    public let finishedAt: Date
    public let environment: [String: String]
    public let results: [BenchmarkResult]
    /// Each result's noise summary, by ``BenchmarkResult/displayName``, as stored with it.
    public let noise: [String: NoiseAssessment]
    public let experiments: [ExperimentOutcome]
    public let telemetry: [TelemetryRecord]
    /// `candidate` or `baseline` for the two halves of a paired A/B run; `nil` for an ordinary run.
    public var role: String? = nil
}

/// What ``Store/importRun(_:startedAt:finishedAt:environment:results:contentDigests:replace:)`` did.
public struct ImportedRun: Sendable, Equatable {
    /// How an import changed the commit's imported run.
    public enum Outcome: Sendable, Equatable {
        /// The commit had no imported run; this one was stored.
        case created
        /// The results were added to the commit's imported run.
        case added
        /// The commit's imported run now holds these results only.
        case replaced
        /// Every file's content had been imported for the commit before; nothing was stored.
        case unchanged
    }

    /// The run holding the files' results.
    public let id: Int64
    public let outcome: Outcome

    /// `false` when the same content had been imported for the same commit before.
    public var isNew: Bool { outcome != .unchanged }
}

/// A commit's imported run as an import checks it before storing: which contents it came from, which series it holds.
public struct ImportedRunContents: Sendable, Equatable {
    public let id: Int64
    /// The SHA-256 of every file imported for the commit, in this run or an older imported run.
    public let digests: Set<String>
    /// The run's series, by ``BenchmarkResult/displayName``.
    public let series: Set<String>
}
