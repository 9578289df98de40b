import Foundation

/// Where a PostgreSQL store is, from `benchbot.store.url`: `postgres://user@host:port/database`,
/// with `?sslmode=` as libpq reads it, and `?host=/folder` for a Unix socket in that folder.
///
/// The URL never holds the password: it comes from a variable or a file named in the config, or
/// from `~/.pgpass` as libpq reads it, so that the config can be shown and backed up.
public struct PostgresLocation: Sendable, Hashable {
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// The socket `.s.PGSQL.<port>` in `folder`.
        case socket(folder: String, port: Int)
    }

    /// libpq's `sslmode`s, weakest first.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var tls: TLSMode

    /// The port, TCP's or the socket's.
    public var port: Int {
        switch endpoint {
        case .tcp(_, let port), .socket(_, let port): port
        }
    }

    /// Reads `url`; the error says what is wrong and how to write it.
    public init(url: String) throws(PostgresLocationError) {
        let example = "write it as postgres://user@host:5432/database"
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw PostgresLocationError("'\(url)' is not a URL; \(example)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresLocationError("'\(scheme):' is not a PostgreSQL URL; \(example)")
        }
        guard components.password == nil else {
            throw PostgresLocationError("holds a password; move it to benchbot.store.password_env, password_file or ~/.pgpass, "
                                        + "which the config only names")
        }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError("names no user; \(example)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresLocationError("names no database; \(example)") }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["sslmode", "host", "port"].contains(item.name) else {
                throw PostgresLocationError("has the parameter '\(item.name)', which BenchBot does not read; it reads sslmode and host")
            }
            parameters[item.name] = item.value ?? ""
        }
        let portText = parameters["port"] ?? components.port.map(String.init) ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw PostgresLocationError("has the port '\(portText)'; a port is a number from 1 to 65535")
        }
        if let folder = parameters["host"], folder.hasPrefix("/") {
            endpoint = .socket(folder: folder, port: port)
        } else if let host = parameters["host"] ?? components.host, !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else {
            throw PostgresLocationError("names no host; \(example), or ?host=/var/run/postgresql for a local socket")
        }
        let mode = parameters["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw PostgresLocationError("has sslmode '\(mode)'; it is one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.user = user
        self.database = database
        self.tls = tls
    }

    /// The password for this location in a `.pgpass` file's text, as libpq matches it: the first
    /// line whose host, port, database and user each equal this location's or are `*`. A socket's
    /// host is `localhost`.
    public func password(inPgpass text: String) -> String? {
        let host = switch endpoint {
        case .tcp(let host, _): host
        case .socket: "localhost"
        }
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(line)
            guard fields.count == 5 else { continue }
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// A `.pgpass` line's fields, split at `:` but not at `\:`, with `\\` and `\:` unescaped.
    private static func pgpassFields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = ""
        var escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}

/// A `benchbot.store.url` that cannot be used, and why.
public struct PostgresLocationError: Error, Sendable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { "benchbot.store.url \(message)" }
}
