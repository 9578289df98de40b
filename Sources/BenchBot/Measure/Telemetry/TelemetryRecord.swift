/// One experiment's CPU or GPU telemetry from one run, in the Relay Dashboard's JSON shape.
///
/// CPU: `{"timestamp": …, "<adapter>": {"<sensor>": [[seconds, value], …]}}`.
/// GPU: `{"timestamp": …, "<topic>": {"data": [[seconds, value], …], "unit": "W" | null}}`.
/// Seconds count from the start of the experiment.
public struct TelemetryRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case cpu
        case gpu
    }

    public var experiment: String
    public var kind: Kind
    public var document: JSONValue

    public init(experiment: String, kind: Kind, document: JSONValue) {
        self.experiment = experiment
        self.kind = kind
        self.document = document
    }
}
