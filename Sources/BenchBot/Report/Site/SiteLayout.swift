/// File names for benchmarks: their names may hold `/`, spaces and brackets. Letters, digits,
/// `-`, `.` and `_` stay; anything else becomes `~` and its hex code, which no server decodes.
public enum SiteLayout {
    public static func slug(_ name: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + 8)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: ".") where !out.isEmpty:
                out.append(byte)
            default:
                // A leading dot too: a hidden file is not served.
                out += [UInt8(ascii: "~"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
