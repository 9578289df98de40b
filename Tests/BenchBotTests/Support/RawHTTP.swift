import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 client that sends the request line exactly as written: URL-aware clients remove
/// `..` segments before sending, and a test of path escapes needs them to reach the server.
/// Each request is one connection (`Connection: close`), on a thread of its own.
enum RawHTTP {
    struct Response: Sendable {
        let status: Int
        /// Header names in lower case.
        let headers: [String: String]
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object; `nil` when it is not one.
        var json: [String: Any]? { try? object() }

        /// The `message` of a JSON answer, such as an error's.
        var message: String? { json?["message"] as? String }

        /// The body as a JSON object.
        func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw FixtureError(message: "not a JSON object: \(text)")
            }
            return object
        }
    }

    /// Sends `method target` to `port` on 127.0.0.1, with `headers` and `body`, and reads the whole answer.
    static func request(_ method: String, _ target: String, port: Int, headers: [String: String] = [:], body: Data? = nil) async throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Data((head + "\r\n").utf8) + (body ?? Data())
        let raw: Result<Data, FixtureError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: exchange(bytes, port: port)) }
        }
        return try parse(raw.get())
    }

    static func get(_ target: String, port: Int, headers: [String: String] = [:]) async throws -> Response {
        try await request("GET", target, port: port, headers: headers)
    }

    /// Writes the request and reads until the server closes; every read is bounded by a timeout.
    private static func exchange(_ request: Data, port: Int) -> Result<Data, FixtureError> {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return .failure(FixtureError(message: "socket: errno \(errno)")) }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .failure(FixtureError(message: "connect to port \(port): errno \(errno)")) }
        let sent = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return .failure(FixtureError(message: "send: errno \(errno)")) }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return .success(answer) }
            guard count > 0 else { return .failure(FixtureError(message: "recv: errno \(errno) after \(answer.count) bytes")) }
            answer.append(contentsOf: buffer[0..<count])
        }
    }

    private static func parse(_ raw: Data) throws -> Response {
        guard let end = raw.firstRange(of: Data("\r\n\r\n".utf8)) else { throw FixtureError(message: "no end of headers in \(raw.count) bytes") }
        let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw FixtureError(message: "bad status line '\(lines[0])'") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(raw[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var output = Data()
        var rest = data[...]
        while let lineEnd = rest.firstRange(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw FixtureError(message: "bad chunk size '\(sizeText)'") }
            if size == 0 { return output }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else { throw FixtureError(message: "truncated chunk") }
            output.append(rest[start..<rest.index(start, offsetBy: size)])
            rest = rest[rest.index(start, offsetBy: size + 2)...]
        }
        throw FixtureError(message: "no last chunk")
    }
}

extension RawHTTP {
    /// Sends the start of a request and never the rest, as a stalled or hostile client would.
    ///
    /// - Returns: Seconds until the server closed the connection; `nil` when it had not within `limit` seconds.
    static func secondsUntilClosed(afterSending partial: String, port: Int, limit: Int) async -> Double? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Double?, Never>) in
            Thread.detachNewThread {
                let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(socket) }
                var timeout = timeval(tv_sec: limit, tv_usec: 0)
                setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return continuation.resume(returning: nil) }
                let start = ContinuousClock.now
                _ = Array(partial.utf8).withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                // A read that ends (0, or a reset) means the server closed it; a timeout means it did not.
                while true {
                    let count = recv(socket, &buffer, buffer.count, 0)
                    if count > 0 { continue }
                    let timedOut = count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                    let elapsed = (ContinuousClock.now - start).components
                    continuation.resume(returning: timedOut ? nil : Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
                    return
                }
            }
        }
    }
}
