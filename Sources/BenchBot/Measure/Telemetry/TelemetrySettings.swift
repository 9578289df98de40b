/// Whether and how often an experiment's machine is sampled while it runs.
///
/// Relay's rules: `run_cpu_telemetry` and `run_gpu_telemetry` in the top-level config switch it
/// on for every experiment, an experiment's own fields override them, and a negative
/// `telemetry_rate` (seconds) turns it off. Off by default.
struct TelemetrySettings: Sendable, Hashable {
    var cpu: Bool
    var gpu: Bool
    var interval: Duration

    /// - Returns: `nil` when telemetry is off for this experiment.
    static func resolve(dashboard: DashboardSettings, experiment: ExperimentConfig) -> TelemetrySettings? {
        let cpu = experiment.runCPUTelemetry ?? dashboard.runCPUTelemetry
        let gpu = experiment.runGPUTelemetry ?? dashboard.runGPUTelemetry
        let rate = experiment.telemetryRate ?? dashboard.telemetryRate
        guard cpu || gpu, rate >= 0 else { return nil }
        // A rate of 0 would spin; one sample a second is the floor.
        return TelemetrySettings(cpu: cpu, gpu: gpu, interval: .seconds(max(rate, 1)))
    }
}
