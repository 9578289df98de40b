@testable import BenchBot
import Foundation
import Testing

extension JSONValue {
    /// The first element of an array, or null.
    var firstNumber: JSONValue {
        if case .array(let items) = self, let first = items.first { return first }
        return .null
    }
}

@Suite("Telemetry")
struct TelemetryTests {
    /// `sensors -j` of lm-sensors 3.6 on a desktop with a coretemp chip, an NVMe drive and a fan header.
    static let sensorsOutput = """
        {
           "coretemp-isa-0000":{
              "Adapter": "ISA adapter",
              "Package id 0":{"temp1_input": 48.000, "temp1_max": 80.000, "temp1_crit": 100.000, "temp1_crit_alarm": 0.000},
              "Core 0":{"temp2_input": 46.000, "temp2_max": 80.000, "temp2_crit": 100.000, "temp2_crit_alarm": 0.000},
              "Core 1":{"temp3_input": 47.000, "temp3_max": 80.000, "temp3_crit": 100.000, "temp3_crit_alarm": 0.000}
           },
           "nvme-pci-0100":{
              "Adapter": "PCI adapter",
              "Composite":{"temp1_input": 38.850, "temp1_max": 81.850, "temp1_min": -273.150, "temp1_crit": 84.850, "temp1_alarm": 0.000}
           },
           "nct6798-isa-0290":{
              "Adapter": "ISA adapter",
              "fan2":{"fan2_input": 812.000, "fan2_min": 0.000, "fan2_alarm": 0.000, "fan2_beep": 0.000, "fan2_pulses": 2.000}
           }
        }
        """

    /// What `nvidia-smi --query-gpu=<GPUTelemetry.fields> --format=csv,noheader,nounits` prints on a two-GPU machine;
    /// the second GPU reports no fan and no power reading, as passively cooled boards do.
    static let nvidiaOutput = """
        0, 45, 3, 1, 1024, 24576, 35.12, 210, 405, 30, P8
        1, 61, 97, 58, 20311, 40960, [N/A], 1410, 1215, [N/A], P0

        """

    @Test("/proc/stat read twice gives each core's utilisation between 0 and 100%; frequencies come from sysfs or cpuinfo")
    func realProcData() async throws {
        var cpu = CPUTelemetry()
        let first = await cpu.read(sensorsTimeout: .seconds(5))
        #expect(first[CPUTelemetry.utilizationAdapter] == nil, "utilisation needs two readings")
        // Some work between the readings, so that the jiffy counters move.
        var sum = 0.0
        for index in 0..<3_000_000 { sum += Double(index).squareRoot() }
        #expect(sum > 0)
        let second = await cpu.read(sensorsTimeout: .seconds(5))
        let utilization = try #require(second[CPUTelemetry.utilizationAdapter])
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(utilization.keys.contains("cpu") && (0..<cores).allSatisfy { utilization.keys.contains("cpu\($0)") }, "\(utilization.keys.sorted())")
        #expect(utilization.values.allSatisfy { (0...100).contains($0) })
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpuinfo.contains("cpu MHz") || FileManager.default.fileExists(atPath: "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq") {
            #expect(second[CPUTelemetry.frequencyAdapter]?["cpu0"].map { $0 > 100 } == true)
        }
        #expect(CPUTelemetry.parseStat("cpu  10 0 5 80 5 0 0 0 0 0\ncpu0 4 0 1 40 5 0 0 0 0 0\n")["cpu0"] == .init(busy: 5, total: 50))
    }

    @Test("sensors -j: every *_input is a reading, grouped by chip")
    func sensors() {
        let readings = CPUTelemetry.parseSensors(Self.sensorsOutput)
        #expect(readings["coretemp-isa-0000"] == ["Package id 0": 48, "Core 0": 46, "Core 1": 47])
        #expect(readings["nvme-pci-0100"] == ["Composite": 38.85])
        #expect(readings["nct6798-isa-0290"] == ["fan2": 812])
        #expect(CPUTelemetry.parseSensors("not json").isEmpty)
    }

    @Test("nvidia-smi CSV: a topic per GPU and field with its unit; N/A readings left out; pstate as its number")
    func nvidia() {
        let readings = GPUTelemetry.parse(Self.nvidiaOutput)
        #expect(readings["gpu0.power.draw"]?.value == 35.12 && readings["gpu0.power.draw"]?.unit == "W")
        #expect(readings["gpu1.utilization.gpu"]?.value == 97 && readings["gpu1.utilization.gpu"]?.unit == "%")
        #expect(readings["gpu1.power.draw"] == nil && readings["gpu1.fan.speed"] == nil)
        #expect(readings["gpu0.pstate"]?.value == 8 && readings["gpu0.pstate"]?.unit == nil && readings["gpu1.pstate"]?.value == 0)
        #expect(readings.count == 10 + 8)
    }

    @Test("an experiment with telemetry on records CPU and a fake nvidia-smi's GPU readings, in Relay's files and in the store")
    func recordedWithRun() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let bin = root.appending(path: "bin")
            let calls = root.appending(path: "nvidia-calls")
            let tick = root.appending(path: "tick")
            guard mkfifo(tick, 0o600) == 0 else { throw FixtureError(message: "mkfifo failed") }
            let expected = GPUTelemetry.arguments.joined(separator: " ")
            try fixture.writeScripts([
                // The second call is the first interval's sample: it lets the experiment finish.
                "nvidia-smi": """
                    #!/bin/sh
                    [ "$*" = "\(expected)" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
                    echo call >> "\(calls)"
                    printf '%s' '\(Self.nvidiaOutput)'
                    [ "$(wc -l < "\(calls)")" -eq 2 ] && echo tick > "\(tick)"
                    exit 0
                    """,
                "sensors": "#!/bin/sh\n[ \"$1\" = -j ] || exit 2\ncat <<'EOF'\n\(Self.sensorsOutput)\nEOF",
            ], in: bin)
            try fixture.addExperiment("gpu_job", config: [
                "active": true, "run_cpu_telemetry": true, "run_gpu_telemetry": true, "telemetry_rate": 1, "timeout": 60,
                "format": "benchbot-json",
                "command": ["sh", "-c", "read line < \"$0\"; printf '{\"benchmarks\": [{\"name\": \"x\", \"unit\": \"ms\", \"samples\": [1, 1]}]}'", tick],
            ], scripts: [:])
            try fixture.addExperiment("quiet", config: ["active": true, "format": "benchbot-json",
                                                        "command": ["printf", #"{"benchmarks": [{"name": "y", "unit": "ms", "samples": [2, 2]}]}"#]], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let path = "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["PATH": path])
            #expect(work.succeeded && work.standardOutput.contains("gpu_job: ok"), "\(work.standardOutput)\(work.standardError)")

            let folder = fixture.home.appending(path: "results/subsystem/telemetry/gpu_job")
            let cpuFile = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.appending(path: "cpu")).first)
            let cpu = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.appending(path: "cpu/\(cpuFile)")))) as? [String: Any])
            #expect(cpu["timestamp"] is String)
            let utilization = try #require((cpu[CPUTelemetry.utilizationAdapter] as? [String: [[Double]]])?["cpu0"])
            #expect(utilization.count >= 2 && utilization.allSatisfy { $0.count == 2 && (0...100).contains($0[1]) })
            #expect((cpu["coretemp-isa-0000"] as? [String: [[Double]]])?["Core 1"]?.first?[1] == 47)

            let gpuFile = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.appending(path: "gpu")).first)
            let gpu = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.appending(path: "gpu/\(gpuFile)")))) as? [String: Any])
            let power = try #require(gpu["gpu0.power.draw"] as? [String: Any])
            #expect(power["unit"] as? String == "W")
            let points = try #require(power["data"] as? [[Double]])
            // At the start, at the first interval, and at the end.
            #expect(points.count == 3 && points.allSatisfy { $0[1] == 35.12 } && points[0][0] < points[1][0] && points[1][0] <= points[2][0], "\(points)")
            #expect((gpu["gpu0.pstate"] as? [String: Any])?["unit"] is NSNull)

            let status = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                fixture.home.appending(path: "results/experiments/status/gpu_job/run.json")))) as? [String: Any])
            #expect(status["run_telemetry"] as? Bool == true && status["success"] as? Bool == true)
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/subsystem/telemetry/quiet")), "telemetry is off by default")

            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            #expect(run.telemetry.map(\.experiment) == ["gpu_job", "gpu_job"] && Set(run.telemetry.map(\.kind)) == [.cpu, .gpu])

            // The site plots it on the experiment's page.
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let page = try String(contentsOfFile: site.appending(path: "experiment/gpu_job.html"), encoding: .utf8)
            #expect(page.contains("aria-label=\"GPU gpu0.power.draw in W over 3 commit(s)\"") || page.contains("GPU gpu0.power.draw in W"), "a plot per GPU topic, with its unit")
            #expect(page.contains("CPU coretemp-isa-0000 Core 1") && page.contains("data-value=\"35.12\""), "a plot per CPU sensor")
            guard case .array(let stored)? = run.telemetry.first(where: { $0.kind == .gpu })?.document["gpu1.temperature.gpu"]?["data"] else {
                Issue.record("no stored GPU temperature")
                return
            }
            #expect(stored.map { $0 == .array([$0.firstNumber, .number(61)]) } == [true, true, true])
        }
    }

    @Test("Relay's switches: experiment fields override the top level; a negative rate turns it off")
    func settings() throws {
        var dashboard = DashboardSettings(temporaryDataDirectory: "t", backupDirectory: "b", setupDirectory: "s")
        var experiment = ExperimentConfig(name: "e", active: true, raw: .object([:]))
        #expect(TelemetrySettings.resolve(dashboard: dashboard, experiment: experiment) == nil)
        dashboard.runCPUTelemetry = true
        #expect(TelemetrySettings.resolve(dashboard: dashboard, experiment: experiment) == .init(cpu: true, gpu: false, interval: .seconds(15)))
        experiment.runCPUTelemetry = false
        experiment.runGPUTelemetry = true
        experiment.telemetryRate = 2
        #expect(TelemetrySettings.resolve(dashboard: dashboard, experiment: experiment) == .init(cpu: false, gpu: true, interval: .seconds(2)))
        experiment.telemetryRate = -1
        #expect(TelemetrySettings.resolve(dashboard: dashboard, experiment: experiment) == nil)
    }
}
