import Foundation
import Logging

/// Samples the machine in the background while an experiment runs, at `telemetry_rate`.
///
/// There is a reading when the experiment starts, one per interval, and one when it ends, so even
/// an experiment shorter than the interval gets its utilisation. External tools (`sensors`,
/// `nvidia-smi`) run with a deadline shorter than the interval and are skipped when absent.
struct TelemetryRecorder {
    private struct Series {
        var cpu: [String: [String: [JSONValue]]] = [:]
        var gpu: [String: (unit: String?, points: [JSONValue])] = [:]
    }

    private struct Sampler {
        let settings: TelemetrySettings
        let start: ContinuousClock.Instant
        var cpu = CPUTelemetry()
        var series = Series()

        mutating func sample() async {
            let seconds = ((ContinuousClock.now - start) / .milliseconds(1)).rounded() / 1000
            let toolTimeout = min(settings.interval, .seconds(10))
            if settings.cpu {
                for (adapter, sensors) in await cpu.read(sensorsTimeout: toolTimeout) {
                    for (sensor, value) in sensors {
                        series.cpu[adapter, default: [:]][sensor, default: []].append(.array([.number(seconds), .number(value)]))
                    }
                }
            }
            if settings.gpu, let readings = await GPUTelemetry.read(timeout: toolTimeout) {
                for (topic, reading) in readings {
                    series.gpu[topic, default: (reading.unit, [])].points.append(.array([.number(seconds), .number(reading.value)]))
                }
            }
        }
    }

    /// Runs `operation` with the sampler beside it, when telemetry is on for the experiment.
    ///
    /// - Parameters:
    ///   - settings: The experiment's telemetry settings; `nil` runs `operation` alone.
    ///   - experiment: The experiment's name.
    ///   - timestamp: The run's Relay timestamp, written into each document.
    ///   - operation: The experiment.
    /// - Returns: What `operation` returned, and the CPU and GPU records (none when off or empty).
    static func record<Value: Sendable>(
        _ settings: TelemetrySettings?, experiment: String, timestamp: String, operation: () async -> Value
    ) async -> (Value, [TelemetryRecord]) {
        guard let settings else { return (await operation(), []) }
        let start = ContinuousClock.now
        return await withTaskGroup(of: Sampler.self) { group in
            group.addTask {
                var sampler = Sampler(settings: settings, start: start)
                await sampler.sample()
                while !Task.isCancelled {
                    do { try await Task.sleep(for: settings.interval) } catch { break }
                    await sampler.sample()
                }
                return sampler
            }
            let value = await operation()
            group.cancelAll()
            guard var sampler = await group.next() else { return (value, []) }
            await sampler.sample()
            return (value, records(sampler.series, experiment: experiment, timestamp: timestamp))
        }
    }

    private static func records(_ series: Series, experiment: String, timestamp: String) -> [TelemetryRecord] {
        var records: [TelemetryRecord] = []
        if !series.cpu.isEmpty {
            var document: [String: JSONValue] = ["timestamp": .string(timestamp)]
            for (adapter, sensors) in series.cpu { document[adapter] = .object(sensors.mapValues(JSONValue.array)) }
            records.append(TelemetryRecord(experiment: experiment, kind: .cpu, document: .object(document)))
        }
        if !series.gpu.isEmpty {
            var document: [String: JSONValue] = ["timestamp": .string(timestamp)]
            for (topic, values) in series.gpu {
                document[topic] = .object(["data": .array(values.points), "unit": values.unit.map(JSONValue.string) ?? .null])
            }
            records.append(TelemetryRecord(experiment: experiment, kind: .gpu, document: .object(document)))
        }
        return records
    }

    /// Writes records where Relay's `vis_telemetry` looks, `results/subsystem/telemetry/<exp>/{cpu,gpu}/`,
    /// and marks the experiment's `run.json` status with `run_telemetry`, which it checks.
    ///
    /// - Parameter fileStem: The run's unique stem, shared with its data.json.
    static func write(_ records: [TelemetryRecord], home: Home, fileStem: String, logger: Logger) {
        guard let experiment = records.first?.experiment else { return }
        for record in records {
            let folder = home.path("results", "subsystem", "telemetry", record.experiment, record.kind.rawValue)
            let file = (folder as NSString).appendingPathComponent("\(record.kind.rawValue)-\(fileStem).json")
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try record.document.prettyPrinted().write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                logger.warning("cannot write telemetry \(file): \(error.localizedDescription); it is still stored with the run")
            }
        }
        let status = home.path("results", "experiments", "status", experiment, "run.json")
        if let data = FileManager.default.contents(atPath: status), case .object(var fields)? = try? JSONValue.parse(data) {
            fields["run_telemetry"] = .bool(true)
            try? JSONValue.object(fields).prettyPrinted().write(to: URL(fileURLWithPath: status), options: .atomic)
        }
    }
}
