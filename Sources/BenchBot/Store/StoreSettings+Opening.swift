public import Foundation
public import Logging

extension StoreSettings {
    /// Opens the store these settings name, runs `body` with it, and closes it, whatever happens:
    /// the home's SQLite file, or the PostgreSQL database of ``url``.
    ///
    /// - Parameter create: Whether a missing SQLite file is created (see ``SQLiteStore/open(path:busyTimeout:create:)``).
    /// - Throws: ``StoreError``, or ``NotifySettingsError`` when the password file cannot be read.
    public func withStore<Result: Sendable>(
        home: Home, create: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger,
        _ body: (any Store) async throws -> Result
    ) async throws -> Result {
        guard let url else {
            return try await body(try SQLiteStore.open(path: home.resolvePath(path), busyTimeout: busyTimeout, create: create))
        }
        return try await PostgresStore.with(url, password: try password(for: url, environment: environment, home: home), logger: logger) {
            try await body($0)
        }
    }

    /// The database's password: from ``passwordEnvironment`` or ``passwordFile``, else the
    /// `.pgpass` libpq would read (`$PGPASSFILE`, or `~/.pgpass`); `nil` when none has one, as
    /// for a server that trusts local users.
    func password(for location: PostgresLocation, environment: [String: String], home: Home) throws(NotifySettingsError) -> String? {
        if let secret = try SecretSource(environment: passwordEnvironment, file: passwordFile, field: "benchbot.store.password")
            .read(environment: environment, home: home) {
            return secret
        }
        if let variable = passwordEnvironment, passwordFile == nil, environment[variable]?.isEmpty ?? true {
            throw NotifySettingsError(message: "benchbot.store.password_env: \(variable) is not set; export it, or remove the field "
                                      + "to use ~/.pgpass")
        }
        let pgpass = environment["PGPASSFILE"] ?? environment["HOME"].map { "\($0)/.pgpass" }
        guard let pgpass, let text = try? String(contentsOfFile: pgpass, encoding: .utf8) else { return nil }
        return location.password(inPgpass: text)
    }
}
