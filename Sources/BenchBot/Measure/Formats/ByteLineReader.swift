/// A text format's reader fed one line at a time: its usual lines read straight from their bytes,
/// any other as a `Substring` by the reader the byte path must match (`TextFastPathTests`).
protocol ByteLineReader {
    /// Reads `line` of `bytes` when it has the format's usual shape; `false` leaves it to ``read(_:number:bytes:)``.
    mutating func readFast(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int) throws(FormatError) -> Bool
    /// Reads any line, `bytes` being where it lies in the text's UTF-8.
    mutating func read(_ line: Substring, number: Int, bytes: Range<Int>) throws(FormatError)
    /// What was read, or the refusal of the whole output.
    mutating func finish() throws(FormatError) -> ParsedOutput
}

extension String {
    /// Feeds every line of the text to `reader`, and returns what it finished with.
    ///
    /// - Parameter byteLines: `false` reads every line as a `Substring`, the rule the byte path must match.
    func readLines(with reader: some ByteLineReader, byteLines: Bool) throws(FormatError) -> ParsedOutput {
        try withLineBytes { bytes -> Result<ParsedOutput, FormatError> in
            var reader = reader
            var number = 0
            for line in ByteLines(bytes) {
                number += 1
                do throws(FormatError) {
                    if byteLines, try reader.readFast(bytes, line, number: number) { continue }
                    try reader.read(utf8Slice(line), number: number, bytes: line)
                } catch {
                    return .failure(error)
                }
            }
            return Result { () throws(FormatError) in try reader.finish() }
        }
    }
}
