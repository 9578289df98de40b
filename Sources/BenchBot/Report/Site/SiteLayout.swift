import Crypto
import Foundation

/// File names for benchmarks: their names may hold `/`, spaces and brackets. Letters, digits,
/// `-`, `.` and `_` stay; anything else becomes `~` and its hex code, which no server decodes.
/// A name too long for a file name (255 bytes, with the suffixes pages add) keeps its start and
/// ends in a digest of the whole, so it stays unique.
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
        guard out.count > maximumLength else { return String(decoding: out, as: UTF8.self) }
        var kept = out.prefix(maximumLength - 34)
        // Never end inside a `~XX` escape.
        if let tilde = kept.suffix(2).lastIndex(of: UInt8(ascii: "~")) { kept = kept[..<tilde] }
        let digest = SHA256.hash(data: Data(name.utf8)).prefix(16).map { String(decoding: [digits[Int($0 >> 4)], digits[Int($0 & 15)]], as: UTF8.self) }
        return String(decoding: kept, as: UTF8.self) + "~~" + digest.joined()
    }

    /// The longest slug: room is left for the suffixes pages and data files add.
    static let maximumLength = 160
}

extension SiteLayout {
    /// Where a benchmark's graph is, relative to the site's root: its page, `benchmark/<slug>.html`,
    /// when the tracked branch has measured it; otherwise, for a benchmark only a pull request or
    /// branch has, the comparison page of that candidate against its baseline,
    /// `compare/<baseline>...<candidate>.html`, which every such run with a baseline gets.
    ///
    /// - Parameters:
    ///   - tracked: Whether the tracked branch's history has a result of `benchmark` (so its page exists).
    ///   - baseline: The comparison's baseline commit, full hex.
    ///   - candidate: The comparison's candidate commit, full hex.
    public static func graphPath(benchmark: String, tracked: Bool, baseline: String, candidate: String) -> String {
        tracked ? "benchmark/\(slug(benchmark)).html" : "compare/\(baseline)...\(candidate).html"
    }
}

extension SiteLayout {
    /// Where a machine class's pages are, relative to the site's root: `""` for the primary class
    /// (the first measuring class), `machines/<slug>/` for any other (``SiteSwitch`` says why). The
    /// slug keeps a class named `..` or `a/b` one folder inside `machines/`.
    public static func machineFolder(_ machine: String, primary: Bool) -> String {
        guard !primary else { return "" }
        let slug = slug(machine)
        // No class is named "", but a store written by hand might hold one: `~` is no other's slug.
        return "machines/\(slug.isEmpty ? "~" : slug)/"
    }

    /// `../` for each folder `path` is in: the way back to the root from the file at `path`.
    static func root(of path: String) -> String {
        String(repeating: "../", count: path.count { $0 == "/" })
    }
}
