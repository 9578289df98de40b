import Foundation

/// Reads typed fields out of a JSON object, recording a problem for each one that is wrong.
///
/// Reading never stops at the first problem: `benchbot check` must show them all at once.
struct ConfigReader {
    let file: String
    private(set) var problems: [ConfigProblem] = []

    init(file: String) {
        self.file = file
    }

    /// Field names and quoted values come from the file: on one line, with no escape sequence
    /// that `check` would send to the terminal.
    mutating func report(_ field: String, _ problem: String) {
        problems.append(ConfigProblem(file: file, field: PlainText.singleLine(field), problem: PlainText.singleLine(problem)))
    }

    /// The object at `field`, or `nil` (with a problem) when it is something else.
    mutating func object(_ value: JSONValue?, _ field: String, required: Bool = false) -> [String: JSONValue]? {
        switch value {
        case .object(let fields)?: return fields
        case nil:
            if required { report(field, "missing; add an object here") }
            return nil
        case let other?:
            report(field, "is \(other.typeName), expected an object")
            return nil
        }
    }

    mutating func string(_ value: JSONValue?, _ field: String, required: Bool = false, allowEmpty: Bool = false) -> String? {
        switch value {
        case .string(let text)?:
            if !allowEmpty, text.trimmingCharacters(in: .whitespaces).isEmpty {
                report(field, "is empty; give it a value or remove it")
                return nil
            }
            return text
        case nil:
            if required { report(field, "missing; this field is mandatory (a string)") }
            return nil
        case let other?:
            report(field, "is \(other.typeName), expected a string")
            return nil
        }
    }

    mutating func bool(_ value: JSONValue?, _ field: String, required: Bool = false) -> Bool? {
        switch value {
        case .bool(let flag)?: return flag
        case nil:
            if required { report(field, "missing; this field is mandatory (true or false)") }
            return nil
        case let other?:
            report(field, "is \(other.typeName), expected true or false")
            return nil
        }
    }

    mutating func integer(_ value: JSONValue?, _ field: String, minimum: Int? = nil) -> Int? {
        switch value {
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15:
            let integer = Int(number)
            if let minimum, integer < minimum {
                report(field, "is \(integer), expected at least \(minimum)")
                return nil
            }
            return integer
        case nil: return nil
        case .number(let number)? where number.rounded() == number:
            report(field, "is \(number), too large; expected a whole number of at most 15 digits")
            return nil
        case let other?:
            report(field, "is \(other.typeName == "a number" ? "a fraction" : other.typeName), expected a whole number")
            return nil
        }
    }

    /// Relay's `telemetry_rate`: whole seconds between samples, negative to turn telemetry off.
    mutating func telemetryRate(_ value: JSONValue?, _ field: String) -> Int? {
        let bounds = BoundedSeconds.telemetryRate
        switch value {
        // Any negative means off; -1 stands for all of them, so that -1e300 needs no Int.
        case .number(let number)? where number < 0 && number.isFinite: return -1
        case .number(let number)? where number.rounded() == number && number <= bounds.maximum: return Int(number)
        case nil: return nil
        case let other?:
            let shown = if case .number(let number) = other { BoundedSeconds.text(number) } else { other.typeName }
            report(field, "is \(shown); must be a whole number of seconds \(bounds.rangeText), or negative to turn telemetry off")
            return nil
        }
    }

    mutating func positiveNumber(_ value: JSONValue?, _ field: String) -> Double? {
        switch value {
        case .number(let number)? where number > 0: return number
        case .number(let number)?:
            report(field, "is \(number), expected a number above 0")
            return nil
        case nil: return nil
        case let other?:
            report(field, "is \(other.typeName), expected a number")
            return nil
        }
    }

    /// A duration field in seconds, inside `bounds`: one rule for every timeout and interval, so
    /// that no field can hand `Duration` or `Task.sleep` a value they trap on.
    mutating func seconds(_ value: JSONValue?, _ field: String, _ bounds: BoundedSeconds = .standard) -> Duration? {
        guard let number = secondsValue(value, field, bounds) else { return nil }
        return .milliseconds(Int64((number * 1000).rounded()))
    }

    /// The number of seconds itself, for settings kept as `TimeInterval`.
    mutating func secondsValue(_ value: JSONValue?, _ field: String, _ bounds: BoundedSeconds = .standard) -> Double? {
        switch value {
        case .number(let number)?:
            if let problem = bounds.problem(number) {
                report(field, problem)
                return nil
            }
            return number
        case nil: return nil
        case let other?:
            report(field, "is \(other.typeName); must be a number of seconds \(bounds.rangeText)")
            return nil
        }
    }

    mutating func strings(_ value: JSONValue?, _ field: String) -> [String]? {
        switch value {
        case .array(let items)?:
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    report("\(field)[\(index)]", "is \(item.typeName), expected a string")
                    return nil
                }
                strings.append(text)
            }
            return strings
        case nil: return nil
        case let other?:
            report(field, "is \(other.typeName), expected an array of strings")
            return nil
        }
    }

    /// Reports fields of `object` that BenchBot does not know, suggesting the closest known name.
    mutating func rejectUnknownFields(_ object: [String: JSONValue], known: Set<String>, prefix: String) {
        for key in object.keys.sorted() where !known.contains(key) {
            // No one misspells a field into something this long; the distance would cost seconds.
            let suggestion = key.utf8.count > 64 ? "" : known.min { editDistance(key, $0) < editDistance(key, $1) }
                .flatMap { editDistance(key, $0) <= 3 ? "; did you mean '\($0)'?" : nil } ?? ""
            // A field with no name is shown as `""`, so that the problem still names where it is.
            let shown = key.isEmpty ? "\"\"" : key
            report(prefix.isEmpty ? shown : "\(prefix).\(shown)",
                   "unknown field\(suggestion) (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions on short field names.
func editDistance(_ first: String, _ second: String) -> Int {
    let a = Array(first), b = Array(second)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}

