@testable import BenchBot
import Foundation
import Testing

/// The text formats' number reader gives what `Double(String)` gives, on every shape of text.
@Suite("parser speed: text numbers read from bytes")
struct TextNumberTests {
    /// Numbers as tools print them, the edges of the fast path, and text that only looks like a number.
    static let texts = ParserSpeedTests.numbers + [
        "", "-", "+", ".", "-.", "e5", ".e5", "1.", ".5", "-.5", "+5", "+-5", "--5", "1e", "1e+", "1e-", "1e5e5", "1.2.3", "1e5.5",
        "1e5-", "nan", "NaN", "inf", "-inf", "+Inf", "infinity", "0x1p3", "0x10", " 1", "1 ", "1_000", "١٢", "1\u{301}", "12,345",
        "1e00001", "1e99999", "-0", "-0.0", "00012", "0.1e1", "9007199254740992", "123456789012345e-22", "1e-400", "2,",
    ]

    @Test("DecimalLiteral.number reads each text as Double(String) does, or refuses it as it does")
    func sameAsDouble() {
        var random = SystemRandomNumberGenerator()
        var texts = Self.texts
        let alphabet = Array("0123456789.-+eE,x ")
        for _ in 0..<20_000 {
            texts.append(String((0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for text in texts {
            let expected = Double(text)
            let read = DecimalLiteral.number(Substring(text))
            #expect(read?.bitPattern == expected?.bitPattern, "\(text.debugDescription): \(String(describing: read)), expected \(String(describing: expected))")
        }
    }

    @Test("with a thousands separator, the number is read as Double(String) reads it with the separators filtered out")
    func separators() {
        var random = SystemRandomNumberGenerator()
        var texts = Self.texts + ["1,234", "1,234.56", "12,345,678", ",", ",,1", "1,e5", "-1,0"]
        let alphabet = Array("0123456789.-+e,,,")
        for _ in 0..<20_000 {
            texts.append(String((0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for text in texts {
            let expected = Double(text.filter { $0 != "," })
            let read = DecimalLiteral.number(Substring(text), ignoring: UInt8(ascii: ","))
            #expect(read?.bitPattern == expected?.bitPattern, "\(text.debugDescription): \(String(describing: read)), expected \(String(describing: expected))")
        }
    }

    @Test("TextNumber.plainNumber reads where it stops the number that TextNumber.number reads from those bytes, or leaves it to it")
    func plainNumbers() {
        var random = SystemRandomNumberGenerator()
        var texts = Self.texts.map { $0 + " ns/op" } + ["114.3 ns/op", "1234567 B/op", "12345678 B/op", "1234567.1234567 x", "1.12345678 x",
                                                        "-0.5 x", "-.5 x", ". x", "5. x", "1.2.3 x", "99999999999999999999 x", "7"]
        let alphabet = Array("0123456789012345678901234567890123456789.-+e x/\u{E9}")
        for _ in 0..<50_000 {
            texts.append(String((0..<Int.random(in: 1...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for text in texts {
            let bytes = Array(text.utf8)
            for start in [0, min(1, bytes.count)] {
                bytes.withUnsafeBufferPointer { bytes in
                    guard let plain = TextNumber.plainNumber(bytes, from: start, to: bytes.count) else { return }
                    let read = TextNumber.number(bytes.extracting(start..<plain.end))
                    #expect(read?.bitPattern == plain.value.bitPattern, "\(text.debugDescription) from \(start): \(plain), expected \(String(describing: read))")
                    #expect(plain.end == bytes.count || !(TextBytes.isDigit(bytes[plain.end])), "\(text.debugDescription) stopped before a digit")
                }
            }
        }
    }
}
