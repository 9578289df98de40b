import BenchBot
import Foundation
import Testing

extension ServeAPITests {
    @Test("GET / serves the site's folder with content types; folders give their index.html and never a listing")
    func siteFiles() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            try await Self.withServer(home: home) { port, _, _ in
                let unbuilt = try await RawHTTP.get("/", port: port)
                #expect(unbuilt.status == 404 && unbuilt.headers["content-type"] == "text/html; charset=utf-8")
                #expect(unbuilt.text.contains("run <code>benchbot site</code>"), "\(unbuilt.text)")
                #expect(try await RawHTTP.get("/style.css", port: port).text.contains("benchbot site"))
            }

            let site = home.appending(path: "results/subsystem/output/website")
            let files: [String: (body: String, type: String)] = [
                "index.html": ("<h1>Results</h1>", "text/html; charset=utf-8"), "style.css": ("body{}", "text/css; charset=utf-8"),
                "app.js": ("let a = 1", "text/javascript; charset=utf-8"), "plots/parse.svg": ("<svg/>", "image/svg+xml"),
                "data/series.json": ("{}", "application/json"), "logo.png": ("\u{89}PNG", "image/png"), "notes.txt": ("notes", "text/plain; charset=utf-8"),
                "commits/index.html": ("<h1>Commits</h1>", "text/html; charset=utf-8"), "plain": ("no extension", "application/octet-stream"),
                "with space.html": ("spaced", "text/html; charset=utf-8"), ".hidden.json": ("hidden", "application/json"),
            ]
            for (path, file) in files {
                let full = site.appending(path: path)
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.body.write(toFile: full, atomically: true, encoding: .utf8)
            }
            try FileManager.default.createDirectory(atPath: site.appending(path: "empty"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: site.appending(path: "config.json"), withDestinationPath: home.appending(path: "config/config.json"))
            try FileManager.default.createSymbolicLink(atPath: site.appending(path: "home"), withDestinationPath: home)
            try FileManager.default.createSymbolicLink(atPath: site.appending(path: "latest.css"), withDestinationPath: "style.css")

            try await Self.withServer(home: home) { port, _, _ in
                for (path, file) in files where !path.hasPrefix(".") {
                    let target = "/" + path.replacingOccurrences(of: " ", with: "%20")
                    let answer = try await RawHTTP.get(target, port: port)
                    #expect(answer.status == 200 && answer.text == file.body && answer.headers["content-type"] == file.type, "\(path): \(answer.status) \(answer.headers)")
                    #expect(answer.headers["x-content-type-options"] == "nosniff")
                }
                let index = try await RawHTTP.get("/", port: port)
                #expect(index.status == 200 && index.text == "<h1>Results</h1>" && index.headers["content-type"] == "text/html; charset=utf-8")
                #expect(try await RawHTTP.get("/commits/", port: port).text == "<h1>Commits</h1>")
                let folder = try await RawHTTP.get("/commits", port: port)
                #expect(folder.status == 301 && folder.headers["location"] == "/commits/", "\(folder.headers)")
                let doubled = try await RawHTTP.get("//commits", port: port)
                #expect(doubled.status == 301 && doubled.headers["location"] == "/commits/", "no redirect off the site: \(doubled.headers)")
                #expect(try await RawHTTP.get("/latest.css", port: port).text == "body{}", "a link inside the folder is followed")
                let health = try await RawHTTP.get("/healthz", port: port)
                #expect(health.status == 200 && health.message == "ok", "the site leaves the server's own routes alone: \(health.text)")
                #expect(try await RawHTTP.get("/metrics", port: port).text.contains("benchbot_queue_jobs"))
                let head = try await RawHTTP.request("HEAD", "/style.css", port: port)
                #expect(head.status == 200 && head.body.isEmpty && head.headers["content-type"] == "text/css; charset=utf-8")

                for path in ["/empty/", "/empty", "/plots/", "/missing.html", "/.hidden.json", "/%2ehidden.json", "/config.json", "/home/config/config.json",
                             "/../config/config.json", "/commits/../../config/config.json", "/%2e%2e/config/config.json", "/%2E%2E/%2E%2E/etc/passwd",
                             "/commits/..%2f..%2fconfig/config.json", "/..%2fconfig%2fconfig.json", "/%00", "/bad%zzencoding", "/./index.html"] {
                    let answer = try await RawHTTP.get(path, port: port)
                    #expect(answer.status == 404 && answer.text.contains("No such page."), "\(path): \(answer.status) \(answer.text)")
                }
            }
        }
    }

    @Test("the site `benchbot site` builds is served file for file")
    func generatedSite() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            try await BenchBotProcess.succeed(["site", "--home", home])
            let site = home.appending(path: "results/subsystem/output/website")
            let files = try FileManager.default.subpathsOfDirectory(atPath: site).filter { path in
                var folder: ObjCBool = false
                // Hidden files, such as the generator's own marker, are never served.
                return FileManager.default.fileExists(atPath: site.appending(path: path), isDirectory: &folder) && !folder.boolValue
                    && !path.split(separator: "/").contains { $0.hasPrefix(".") }
            }
            #expect(files.contains("index.html"))
            try await Self.withServer(home: home) { port, _, _ in
                for path in files {
                    let target = "/" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
                    let answer = try await RawHTTP.get(target, port: port)
                    #expect(answer.status == 200 && answer.body == FileManager.default.contents(atPath: site.appending(path: path)), "\(path): \(answer.status)")
                    #expect(answer.headers["content-type"] != "application/octet-stream", "\(path)")
                }
            }
        }
    }
}
