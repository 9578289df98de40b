import Foundation

/// Finds the file of the results site that a request's path names, and refuses everything else:
/// no listing of folders, nothing outside the site's folder (`..`, encoded or not, or a symbolic
/// link pointing out of it), no hidden files, nothing but regular files.
struct SiteFiles: Sendable {
    /// The site's folder, as `benchbot site` writes it.
    let folder: String

    /// What to answer.
    enum Answer: Sendable, Hashable {
        /// A regular file inside the folder, by its real path.
        case file(path: String, contentType: String)
        /// A folder asked for without its trailing slash: its index's relative links need one.
        case redirect(location: String)
        case notFound
        /// The folder, or its index.html, does not exist yet.
        case notBuilt
    }

    /// - Parameter path: The request's path as sent, still percent-encoded, without its query.
    func answer(for path: String) -> Answer {
        guard let root = Self.realPath(folder), Self.isDirectory(root), Self.isRegularFile(root + "/index.html") else { return .notBuilt }
        guard let segments = Self.segments(of: path) else { return .notFound }
        guard let target = Self.realPath(root + segments.map { "/" + $0 }.joined()), Self.isInside(target, root) else { return .notFound }
        if Self.isDirectory(target) {
            guard let index = Self.realPath(target + "/index.html"), Self.isInside(index, root), Self.isRegularFile(index) else { return .notFound }
            guard path.hasSuffix("/") else {
                // Rebuilt from the checked segments: a path such as `//evil.example` cannot become an off-site redirect.
                return .redirect(location: "/" + segments.map(Self.percentEncoded).map { $0 + "/" }.joined())
            }
            return .file(path: index, contentType: Self.contentType(of: "index.html"))
        }
        guard Self.isRegularFile(target), let name = segments.last else { return .notFound }
        return .file(path: target, contentType: Self.contentType(of: name))
    }

    /// The path's segments, percent-decoded; `nil` for one that could leave the folder or name a
    /// hidden file: `.`, `..`, a leading dot, an encoded `/`, a NUL, or malformed encoding.
    static func segments(of path: String) -> [String]? {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = raw.removingPercentEncoding, !segment.isEmpty, !segment.hasPrefix("."),
                  !segment.contains("/"), !segment.contains("\0") else { return nil }
            segments.append(segment)
        }
        return segments
    }

    /// Content types by extension: the site's pages, styles, scripts, plots, data and images.
    static func contentType(of name: String) -> String {
        let types = [
            "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
            "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8", "json": "application/json",
            "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
            "webp": "image/webp", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
            "xml": "application/xml", "woff2": "font/woff2", "map": "application/json",
        ]
        let ext = name.split(separator: ".").count > 1 ? name.split(separator: ".").last.map { $0.lowercased() } : nil
        return ext.flatMap { types[$0] } ?? "application/octet-stream"
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    static func isDirectory(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeDirectory
    }

    static func isRegularFile(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    static func percentEncoded(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }
}
