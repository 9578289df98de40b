/// File names for benchmarks: their names may hold `/`, spaces and brackets. Letters, digits,
/// `-`, `.` and `_` stay; anything else becomes `~` and its hex code, which no server decodes.
public enum SiteLayout {
    public static func slug(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "~%02X", byte)
            }
        }
        return out.hasPrefix(".") ? "~2E" + out.dropFirst() : out
    }
}
