@testable import BenchBot
import Foundation
import Testing

/// The site's escaping, made by bytes for speed, is the one it was by Unicode scalars.
@Suite("Site escaping")
struct SiteEscapeTests {
    /// The escaping as it was first written: scalar by scalar.
    static func reference(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where (scalar.value < 0x20 && ![0x09, 0x0A, 0x0D].contains(scalar.value)) || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out.unicodeScalars.append("\u{FFFD}")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    @Test("escape equals the scalar-by-scalar reference on the five, controls, U+FFFE, U+FFFF, their neighbours and other text")
    func sameAsReference() {
        let alphabet: [String] = ["&", "<", ">", "\"", "'", "\u{0}", "\u{1}", "\t", "\n", "\r", "\u{1F}", " ", "a", "é", "µ", "→", "\u{FFFD}",
                                  "\u{FFFE}", "\u{FFFF}", "\u{FFFC}", "\u{EFBF}", "\u{F000}", "😀", "{\"points\":[1,\"x\"]}"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for length in 0..<400 {
            var text = ""
            for _ in 0..<(length % 40) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += alphabet[Int(state >> 33) % alphabet.count]
            }
            #expect(SiteHTML.escape(text) == Self.reference(text), "\(Array(text.unicodeScalars.map(\.value)))")
        }
    }
}
