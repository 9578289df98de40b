/// Markup for the site's long tables, written directly: Mustache looks each value up through its
/// context, which cost milliseconds a page for a hundred rows, and a site has a page per commit.
/// Everything from outside (names, subjects, units) goes through ``escape(_:)``.
enum SiteHTML {
    /// XML's five, so that pages stay well-formed XML as well as HTML; characters XML 1.0 forbids
    /// (C0 controls but tab, newline and return; U+FFFE, U+FFFF) become U+FFFD, since no escape
    /// can carry them.
    static func escape(_ text: String) -> String {
        // Most text needs nothing: a scan of its bytes, in place, says so.
        func special(_ byte: UInt8) -> Bool {
            byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27 || mayBeForbidden(byte)
        }
        let needed = text.utf8.withContiguousStorageIfAvailable { $0.contains(where: special) } ?? text.utf8.contains(where: special)
        guard needed else { return text }
        // By bytes: every character escaped is ASCII, and U+FFFE and U+FFFF are `EF BF BE` and
        // `EF BF BF`. A plot's tooltips are tens of kilobytes of JSON, full of quotes.
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4 + 16)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            case 0xEF where index + 1 < bytes.count && bytes[index] == 0xBF && (bytes[index + 1] == 0xBE || bytes[index + 1] == 0xBF):
                out.append(contentsOf: replacementBytes)
                index += 2
            case _ where byte < 0x20 && mayBeForbidden(byte): out.append(contentsOf: replacementBytes)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// U+FFFD in UTF-8.
    private static let replacementBytes: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// `text` with only the characters XML 1.0 forbids replaced: for markup BenchBot built, and
    /// for values a template escapes itself.
    static func xmlSafe(_ text: String) -> String {
        let needed = text.utf8.withContiguousStorageIfAvailable { $0.contains(where: mayBeForbidden) } ?? text.utf8.contains(where: mayBeForbidden)
        guard needed, text.unicodeScalars.contains(where: isForbidden) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isForbidden(scalar) ? replacement : scalar) }
        return String(out)
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// A byte of a C0 control, or the lead byte of U+FFFE and U+FFFF: worth a closer look.
    private static func mayBeForbidden(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0xEF
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar.value != 0x09 && scalar.value != 0x0A && scalar.value != 0x0D)
            || scalar.value == 0xFFFE || scalar.value == 0xFFFF
    }

    /// A table: a header row, then rows of cells that are markup already.
    struct Table {
        private var markup: String

        init(headers: [String], rowCapacity: Int = 0) {
            markup = "<table><thead><tr>"
            markup.reserveCapacity(200 + rowCapacity * 240)
            for header in headers { markup += "<th>\(escape(header))</th>" }
            markup += "</tr></thead><tbody>\n"
        }

        /// - Parameters:
        ///   - cells: Each cell's markup, escaped by the caller.
        ///   - className: The row's class (`regression`, `improvement`), or empty.
        mutating func row(_ cells: [String], className: String = "") {
            markup += className.isEmpty ? "<tr>" : "<tr class=\"\(className)\">"
            for cell in cells { markup += "<td>\(cell)</td>" }
            markup += "</tr>\n"
        }

        var html: String { markup + "</tbody></table>" }
    }
}
