@testable import BenchBot
import Foundation
import Testing

/// The third pass's shortcuts (duplicate names by hash, lines read lazily, test2json events read
/// by bytes) give the answers the obvious code gave.
@Suite("parser shortcuts: hashed names, lazy lines, flat test2json events")
struct ParserShortcutTests {
    private static func result(_ name: String, _ parameters: [String: String] = [:]) -> BenchmarkResult {
        BenchmarkResult(benchmark: name, parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: [1])
    }

    @Test("a display name met twice is found however its parts are cut; 30,000 distinct names are not")
    func seriesNamesByDisplayName() {
        let twins: [(BenchmarkResult, BenchmarkResult)] = [
            (Self.result("a"), Self.result("a")),
            (Self.result("a[x=1]"), Self.result("a", ["x": "1"])),
            (Self.result("a", ["x": "1", "y": "2"]), Self.result("a", ["y": "2", "x": "1"])),
            (Self.result("a[x=1,y=2]"), Self.result("a", ["x": "1", "y": "2"])),
            (Self.result("é", ["k": "ü"]), Self.result("é[k=ü]")),
            // Equal as `String`s, by canonical equivalence, with other bytes: composed or not, in
            // the benchmark or a parameter; a singleton such as the Kelvin sign against ASCII `K`.
            (Self.result("caf\u{E9}"), Self.result("cafe\u{301}")),
            (Self.result("a", ["k": "caf\u{E9}"]), Self.result("a", ["k": "cafe\u{301}"])),
            (Self.result("a", ["caf\u{E9}": "1"]), Self.result("a[cafe\u{301}=1]")),
            (Self.result("\u{212A}elvin"), Self.result("Kelvin")),
            (Self.result("Kelvin", ["x": "1"]), Self.result("\u{212A}elvin", ["x": "1"])),
            // Parameters met decomposed first, against the composed display name: their own bytes are composed.
            (Self.result("a", ["k": "cafe\u{301}"]), Self.result("a[k=caf\u{E9}]")),
            (Self.result("a", ["k": "\u{212A}", "j": "1"]), Self.result("a[j=1,k=K]")),
        ]
        // Parameters of every count around the eight put in order on the stack, each against its own
        // display name written out: their bytes must be the display name's, key for key.
        let keyed = (1...12).flatMap { count in
            let keys = (0..<count).map { "k\(($0 * 5) % 13)" + String(repeating: "z", count: $0 % 3) }
            let parameters = Dictionary(uniqueKeysWithValues: keys.map { ($0, "v\($0.count)") })
            let flat = Self.result("a", parameters)
            return [(flat, Self.result(flat.displayName)), (Self.result(flat.displayName), flat)]
        }
        for (first, second) in twins + keyed {
            var names = SeriesNames()
            let results = [first]
            #expect(names.insert(first, tag: 7, inserted: []) == nil)
            #expect(names.insert(second, tag: 9, inserted: results) == 7, "\(second.displayName)")
        }
        var names = SeriesNames()
        var results: [BenchmarkResult] = []
        var displayed = Set<String>()
        for index in 0..<30_000 {
            let result = index % 3 == 0 ? Self.result("case\(index / 3)", ["n": "\(index % 7)"]) : Self.result("case\(index)")
            let isNew = displayed.insert(result.displayName).inserted
            #expect((names.insert(result, tag: index, inserted: results) == nil) == isNew, "\(result.displayName)")
            if isNew { results.append(result) }
        }
        #expect(results.count == displayed.count)
    }

    @Test("a name's hash is the same however its bytes are cut in two, at every length and cut; other bytes hash apart")
    func nameHashAtEveryCut() {
        let hash = NameHash()
        var generator = SystemRandomNumberGenerator()
        var seen: [UInt64: [UInt8]] = [:]
        for length in 0...48 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let whole = bytes.withUnsafeBytes { hash.hash($0, UnsafeRawBufferPointer(start: nil, count: 0)) }
            for cut in 0...length {
                let (head, tail) = (Array(bytes[..<cut]), Array(bytes[cut...]))
                let split = head.withUnsafeBytes { head in tail.withUnsafeBytes { hash.hash(head, $0) } }
                #expect(split == whole, "length \(length), cut at \(cut)")
            }
            // 49 random names of different lengths: a 64-bit hash shared by two would be the code's fault.
            #expect(seen.updateValue(bytes, forKey: whole) == nil, "length \(length)")
        }
    }

    @Test("parameters kept from the series before are the parameters of this one: shared, equal, or other")
    func parametersKeptFromBefore() {
        let shared = ["target": "benches/a.rs"]
        // The same name with the parameters changed in between, and again from a dictionary of its own.
        let series = [Self.result("a", shared), Self.result("b", ["target": "benches/b.rs"]), Self.result("c", shared),
                      Self.result("a", ["target": "benches/a.rs"])]
        var names = SeriesNames()
        var results: [BenchmarkResult] = []
        for (index, result) in series.enumerated() {
            #expect((names.insert(result, tag: index, inserted: results) == nil) == (index < 3), "\(result.displayName)")
            results.append(result)
        }
        let context = FormatContext(file: "f", format: .benchmarkJS)
        // Printable parameters met before, then parameters of the same size that are not.
        let controls = [Self.result("a", shared), Self.result("b", shared), Self.result("c", ["target": "x\u{7}"])]
        #expect(throws: FormatError.self) { try ResultValidation.validate(controls, context) }
        do {
            try ResultValidation.validate(controls, context)
        } catch {
            #expect(error.description == "f: benchmark-js: \(PlainText.singleLine("c[target=x\u{7}]")): its name or parameters hold the control character U+0007; names must be printable text")
        }
        do {
            try ResultValidation.validate(Array(series.prefix(3)), context)
            try ResultValidation.validate(series, context)
            Issue.record("a name met twice was not refused")
        } catch {
            #expect(error.description == "f: benchmark-js: a[target=benches/a.rs]: appears twice; give each benchmark and parameter set its own name")
        }
    }

    @Test("parameters met again after hundreds of others are told by the bytes kept for them, and only those",
          arguments: [600, 1500])
    func parametersMetAgain(count: Int) {
        // Dictionaries, each shared by the series that use it (some spelled outside ASCII, some of
        // them decomposed), met in turn three times: under `a`, under `a` again (every one a
        // duplicate, every 100th from a copy of its own, equal but not shared), then under `b`.
        // 1,500 are more than the slots' first 1,024 lookups, all of them misses: the slots shut.
        let shared = (0..<count).map { index in
            index % 7 == 0 ? ["n": "\(index)", "k": index % 2 == 0 ? "cafe\u{301}" : "caf\u{E9}"] : ["n": "\(index)", "procs": "2"]
        }
        var names = SeriesNames()
        var results: [BenchmarkResult] = []
        for round in 0..<3 {
            for index in shared.indices {
                let parameters = round == 1 && index % 100 == 0 ? Dictionary(uniqueKeysWithValues: shared[index].map { ($0, $1) }) : shared[index]
                let result = Self.result(round == 2 ? "b" : "a", parameters)
                let found = names.insert(result, tag: round * 10_000 + index, inserted: results)
                #expect(found == (round == 1 ? index : nil), "\(result.displayName) in round \(round)")
                if found == nil { results.append(result) }
            }
        }
        #expect(results.count == count * 2)
        // Composed and decomposed spellings are one name when the decomposed dictionary's bytes come
        // back from its slot: they were kept composed.
        var spelled = SeriesNames()
        let met = [Self.result("a", shared[0]), Self.result("b", shared[1]), Self.result("c", shared[0])]
        for (tag, result) in met.enumerated() {
            #expect(spelled.insert(result, tag: tag, inserted: Array(met.prefix(tag))) == nil)
        }
        #expect(spelled.insert(Self.result("c", ["n": "0", "k": "caf\u{E9}"]), tag: 3, inserted: met) == 2)
    }

    @Test("a table of things met before is looked in for 1,024 lookups, then while one in four finds something")
    func reuseGate() {
        var missing = ReuseGate()
        for _ in 0..<1023 { missing.record(found: false) }
        #expect(missing.isOpen)
        missing.record(found: false)
        #expect(!missing.isOpen)
        var finding = ReuseGate()
        for lookup in 0..<5000 { finding.record(found: lookup % 4 == 0) }
        #expect(finding.isOpen)
        var fading = ReuseGate()
        for lookup in 0..<5000 { fading.record(found: lookup % 5 == 0) }
        #expect(!fading.isOpen)
    }

    @Test("validation still refuses a name met twice, in a format whose reader does not check names")
    func validationFindsDuplicates() {
        let text = "a x 1,000 ops/sec \u{B1}0.5% (90 runs sampled)\nb x 2 ops/sec \u{B1}0.5% (90 runs sampled)\na x 3 ops/sec \u{B1}0.5% (90 runs sampled)\n"
        #expect(throws: FormatError.self) { try BenchmarkFormat.benchmarkJS.parse(Data(text.utf8), file: "f") }
        do {
            _ = try BenchmarkFormat.benchmarkJS.parse(Data(text.utf8), file: "f")
        } catch {
            #expect(error.description == "f: benchmark-js: a: appears twice; give each benchmark and parameter set its own name")
        }
    }

    @Test("names equal only by canonical equivalence are one name to a format's validation; near names are not")
    func canonicallyEqualNames() throws {
        let composed = "caf\u{E9} x 1,000 ops/sec \u{B1}0.5% (90 runs sampled)\n"
        let decomposed = "cafe\u{301} x 2 ops/sec \u{B1}0.5% (90 runs sampled)\n"
        #expect(composed.utf8.count != decomposed.utf8.count)
        do {
            _ = try BenchmarkFormat.benchmarkJS.parse(Data((composed + decomposed).utf8), file: "f")
            Issue.record("two spellings of one name were kept as two series")
        } catch {
            #expect(error.description.hasSuffix("appears twice; give each benchmark and parameter set its own name"), "\(error)")
        }
        let near = composed + "cafe x 2 ops/sec \u{B1}0.5% (90 runs sampled)\n"
        #expect(try BenchmarkFormat.benchmarkJS.parse(Data(near.utf8), file: "f").results.map(\.benchmark) == ["caf\u{E9}", "cafe"])
    }

    @Test("lines come as a split at \\n gives them, without the \\r of \\r\\n")
    func outputLinesAsSplit() {
        let texts = ["", "\n", "a", "a\n", "a\r\nb", "a\r\n\r\nb\r", "\r\n", "é\nü\r\nx\n\n", "a\rb\nc"]
        for text in texts {
            let expected = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().map { index, line in
                let isLast = index == text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count - 1
                let bytes = !isLast && line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
                return String(decoding: bytes, as: UTF8.self)
            }
            #expect(Array(text.outputLines).map(String.init) == expected, "\(text.debugDescription)")
        }
    }

    /// One package's `go test -json` output, each event written by `event`.
    private static func goTestJSON(_ event: (_ action: String, _ output: String?) -> String) -> String {
        let outputs = ["goos: linux\n", "pkg: example.invalid/p\n", "BenchmarkA-2   \t", " 1000\t 10.5 ns/op\t 16 B/op\n",
                       "BenchmarkB/n=8-2 \t 2000\t 20 ns/op\n", "PASS\n"]
        return (outputs.map { event("output", $0) } + [event("pass", nil)]).joined(separator: "\n") + "\n"
    }

    @Test("test2json events read by bytes give what the full JSON parser's events give")
    func flatEventsAsFullParse() throws {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
        }
        let flat = Self.goTestJSON { action, output in
            #"{"Time":"2026-12-01T21:45:15Z","Action":"\#(action)","Package":"example.invalid/p""# + (output.map { #","Output":"\#(escaped($0))""# } ?? "") + "}"
        }
        // `\u` escapes, numbers, nesting and repeated fields are the full parser's to read.
        let full = Self.goTestJSON { action, output in
            let text = output.map { $0.replacingOccurrences(of: "\t", with: "\\u0009").replacingOccurrences(of: "\n", with: "\\u000a") }
            return #"{"Action":"output","Elapsed":1.5,"Action":"\#(action)","Package":"example.invalid/p","Extra":{"a":[1]}"#
                + (text.map { #","Output":"\#($0)""# } ?? "") + "}"
        }
        let fromFlat = try BenchmarkFormat.goTestJSON.parse(Data(flat.utf8), file: "f")
        let fromFull = try BenchmarkFormat.goTestJSON.parse(Data(full.utf8), file: "f")
        #expect(fromFlat == fromFull)
        #expect(fromFlat.results.map(\.displayName) == [
            "BenchmarkA[pkg=example.invalid/p,procs=2]", "BenchmarkA.bytes_per_op[pkg=example.invalid/p,procs=2]",
            "BenchmarkB[n=8,pkg=example.invalid/p,procs=2]",
        ])
        #expect(fromFlat.results.first?.samples == [10.5])
    }

    @Test("a test2json line that is not JSON is refused as before, the last one as cut")
    func badEventLines() {
        let head = #"{"Action":"output","Package":"p","Output":"PASS\n"}"#
        let cases = [
            (head + "\n" + #"{"Action":"output","Package":"p","Output":"x\q"}"# + "\n" + #"{"Action":"pass","Package":"p"}"#,
             "f: go-test-json: line 2: column 45: unknown escape after '\\': character 'q'; is this really go test -json output?"),
            (head + "\n" + #"{"Action":"pass","Package":"p""# + "\n\n",
             "f: go-test-json: line 2: column 31: expected ',' or '}' (the document ends early); the file ends inside this event: truncated?"),
            (head + "\n" + #"{"Package":"p"}"#, "f: go-test-json: line 2.Action: missing"),
            (#"{"Action":"output","Package":"p"}"#, "f: go-test-json: line 1.Output: missing"),
        ]
        for (text, message) in cases {
            do {
                _ = try BenchmarkFormat.goTestJSON.parse(Data(text.utf8), file: "f")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description == message)
            }
        }
    }
}
