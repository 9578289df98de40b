import BenchBot
import Testing

/// `benchbot.store.url` and the password beside it, as libpq reads them.
@Suite("PostgreSQL store location")
struct PostgresLocationTests {
    @Test("host, port, database, user, sslmode, and a socket folder are read as libpq reads them")
    func reads() throws {
        let tcp = try PostgresLocation(url: "postgres://bench@db.example:6543/history?sslmode=verify-full")
        #expect(tcp.endpoint == .tcp(host: "db.example", port: 6543) && tcp.user == "bench" && tcp.database == "history" && tcp.tls == .verifyFull)
        let plain = try PostgresLocation(url: "postgresql://bench@db.example/history")
        #expect(plain.port == 5432 && plain.tls == .prefer)
        let socket = try PostgresLocation(url: "postgres://bench@localhost/history?host=/var/run/postgresql&port=5433")
        #expect(socket.endpoint == .socket(folder: "/var/run/postgresql", port: 5433))
    }

    @Test("a URL that cannot be used says what is wrong and how to write it", arguments: [
        ("mysql://bench@db/history", "not a PostgreSQL URL"),
        ("postgres://bench:hunter2@db/history", "password_env"),
        ("postgres://db/history", "names no user"),
        ("postgres://bench@db/", "names no database"),
        ("postgres://bench@db:99999/history", "port"),
        ("postgres://bench@db/history?sslmode=sometimes", "verify-full"),
        ("postgres://bench@db/history?application_name=x", "does not read"),
        ("not a url at all", "postgres://user@host:5432/database"),
    ])
    func refuses(url: String, says: String) {
        #expect {
            _ = try PostgresLocation(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("benchbot.store.url ") && text.contains(says) && !text.contains("hunter2")
        }
    }

    @Test("a .pgpass line matches by host, port, database and user, with * and escaped colons, first match first")
    func pgpass() throws {
        let location = try PostgresLocation(url: "postgres://bench@db.example:6543/history")
        let text = """
            # comment:line:with:five:fields
            db.example:5432:history:bench:wrong-port
            db.example:6543:other:bench:wrong-database
            *:6543:history:bench:pa\\:ss\\\\word
            *:*:*:*:too-late
            """
        #expect(location.password(inPgpass: text) == "pa:ss\\word")
        let socket = try PostgresLocation(url: "postgres://bench@x/history?host=/run/pg")
        #expect(socket.password(inPgpass: "localhost:5432:history:bench:local\n") == "local")
        #expect(socket.password(inPgpass: "db.example:5432:history:bench:remote\n") == nil)
    }
}
