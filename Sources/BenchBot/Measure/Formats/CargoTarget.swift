import Foundation

/// The bench target that cargo's `Running …` line announces, so that one benchmark name in two
/// test binaries (`src/lib.rs` and `benches/x.rs`) stays two series.
///
/// cargo prints the line on stderr before it starts each binary:
/// `Running unittests src/lib.rs (target/release/deps/fixture-2946a7c74ed49e2e)` and
/// `Running benches/sorting.rs (target/release/deps/sorting-0ad92d92c6fe6a0b)` since cargo 1.56;
/// older cargo prints only the binary, `Running target/release/deps/fixture-2946a7c74ed49e2e`.
/// The readable source path is the target's name when cargo gives it, the binary's name without
/// its hash otherwise.
struct CargoTarget: Hashable {
    /// `src/lib.rs`, `benches/sorting.rs`, or `fixture` for older cargo.
    let source: String
    /// The binary's name without cargo's hash: `fixture`, `sorting`.
    let binary: String

    /// The target a trimmed line announces, or `nil` when the line is not cargo's `Running` line.
    init?(line: Substring) {
        guard line.startsWith("Running ") else { return nil }
        var rest = line.dropFirst("Running ".count)
        var path = rest
        if rest.hasSuffix(")"), let open = rest.lastIndex(of: "(") {
            path = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
            rest = rest[..<open]
        } else {
            rest = ""
        }
        var stem = path.split(separator: "/").last.map(String.init) ?? ""
        // cargo names each binary `<target>-<16 hex digits>`.
        if let dash = stem.lastIndex(of: "-"), stem.distance(from: dash, to: stem.endIndex) == 17,
           stem[stem.index(after: dash)...].allSatisfy(\.isHexDigit) {
            stem = String(stem[..<dash])
        }
        guard !stem.isEmpty, !stem.contains(" ") else { return nil }
        var source = rest.trimmingWhitespace
        if source.hasPrefix("unittests") { source = String(source.dropFirst("unittests".count)).trimmingWhitespace }
        binary = stem
        self.source = source.isEmpty ? stem : source
    }
}

/// The `target` parameter of each binary in one output: its source path, or the path and the
/// binary where two binaries of a workspace share a path (two crates' `src/lib.rs`).
struct CargoTargetNames {
    private var owners: [String: String] = [:]

    /// The parameter value for `target`, stable for a given binary within the output.
    mutating func name(for target: CargoTarget) -> String {
        if let owner = owners[target.source], owner != target.binary {
            let qualified = "\(target.source) (\(target.binary))"
            owners[qualified] = target.binary
            return qualified
        }
        owners[target.source] = target.binary
        return target.source
    }
}

extension String {
    /// A line of tool output quoted in a one-line error: printable, and short.
    var quotedLine: String {
        let line = PlainText.singleLine(trimmingWhitespace)
        return line.count > 120 ? "'\(line.prefix(117))…'" : "'\(line)'"
    }
}
