import Foundation

/// Text from outside (commit subjects, branch and benchmark names, scripts' messages) made safe
/// for one line of a terminal or a table.
///
/// A commit subject is written by whoever pushed: an ANSI escape in it would drive the reader's
/// terminal, and a newline would start a new row of a table that promises one per item.
public enum PlainText {
    /// `text` on one line: line breaks and tabs become spaces, and every other control character
    /// (C0, DEL, C1: ESC starts every ANSI sequence) becomes U+FFFD, visible and inert.
    public static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}": out.append(" ")
            case _ where isControl(scalar): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A cell of a GitHub-flavoured markdown table, inside a code span: on one line, with no
    /// backtick to close the span early and no unescaped `|` to split the cell.
    public static func markdownCode(_ text: String) -> String {
        let line = markdownCell(text)
        // An empty code span is not one: two backticks would swallow the next cell's.
        return "`" + (line.trimmingCharacters(in: .whitespaces).isEmpty ? "(unnamed)" : line) + "`"
    }

    /// A plain cell of a markdown table: on one line, a backtick as a quote, `|` escaped.
    ///
    /// Scalar by scalar: a `|` or a backtick followed by a combining mark is one `Character`,
    /// which a comparison of characters would pass over.
    public static func markdownCell(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in singleLine(text).unicodeScalars {
            switch scalar {
            case "`": out.append("'")
            case "|": out.append(contentsOf: "\\|".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Breaks a line, or drives a terminal.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        isTerminalControl(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// C0, DEL and C1: what a terminal acts on, and what C strings end at (U+0000).
    static func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
