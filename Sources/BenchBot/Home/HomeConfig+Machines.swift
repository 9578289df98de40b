import Foundation

extension HomeConfig {
    /// A machine class names a page set of the site and a column of the store: letters, digits,
    /// `.`, `_` and `-`, as `x86-avx512` or `gpu-a100`, so that it is safe in a path and a URL.
    static func isMachineClass(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
        } && !text.hasPrefix(".")
    }

    /// `benchbot.machine` (a class, or `{"name": …, "class": …}`) and `benchbot.machines`.
    static func parseMachines(_ section: [String: JSONValue], into settings: inout BenchBotSettings, reader: inout ConfigReader) {
        let classFix = "use letters, digits, '.', '_' and '-', such as \"x86-avx512\""
        switch section["machine"] {
        case .string(let text)?:
            // A plain string was the machine's name and class at once before classes existed:
            // host names keep working as their own class.
            settings.machine = text
            if text.isEmpty { reader.report("benchbot.machine", "is empty; name this machine's class (\(classFix))") }
        case .object(let object)?:
            reader.rejectUnknownFields(object, known: ["name", "class"], prefix: "benchbot.machine")
            if let name = reader.string(object["name"], "benchbot.machine.name") { settings.machineName = name }
            if let machineClass = reader.string(object["class"], "benchbot.machine.class", required: true) {
                settings.machine = machineClass
                if !isMachineClass(machineClass) { reader.report("benchbot.machine.class", "is '\(machineClass)'; \(classFix)") }
            }
        case nil:
            break
        case let other?:
            reader.report("benchbot.machine", "is \(other.typeName); expected a class such as \"x86-avx512\", or {\"name\": …, \"class\": …}")
        }
        guard let classes = reader.strings(section["machines"], "benchbot.machines") else { return }
        if classes.isEmpty {
            reader.report("benchbot.machines", "is empty; list the machine classes that measure each commit, or remove the field")
        }
        for (index, machineClass) in classes.enumerated() where !isMachineClass(machineClass) {
            reader.report("benchbot.machines[\(index)]", "is '\(machineClass)'; \(classFix)")
        }
        if let repeated = Dictionary(grouping: classes, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            reader.report("benchbot.machines", "lists '\(repeated)' twice; each class measures a commit once")
        }
        settings.machines = classes
    }
}

extension BenchBotSettings {
    /// GitHub's context for the statuses, check runs and pull request comments of `machine`'s
    /// runs: `base` itself where one class measures, `base/class` where several do, so that a
    /// commit shows one check per class and no class's status replaces another's.
    public func gitHubContext(_ base: String, machine: String) -> String {
        measuringClasses.count > 1 ? base + "/" + machine : base
    }

    /// Every class's context, in the order of ``measuringClasses``.
    public func gitHubContexts(_ base: String) -> [String] {
        measuringClasses.map { gitHubContext(base, machine: $0) }
    }
}
