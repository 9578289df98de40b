import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension BenchBotServer {
    /// The results site's folder at `/`: the folder `benchbot site` writes, `benchbot.site.folder`.
    func addSiteRoutes(to router: Router<BasicRequestContext>) {
        let site = SiteFiles(folder: home.resolvePath(config.benchbot.site.folder))
        for path in ["/", "/**"] {
            router.get(RouterPath(path)) { request, _ -> Response in await serve(request, from: site) }
            router.head(RouterPath(path)) { request, _ -> Response in await serve(request, from: site).createHeadResponse() }
        }
    }

    /// The largest file served: the site's pages and plots are far smaller.
    static let maximumSiteFile = 64 * 1024 * 1024

    func serve(_ request: Request, from site: SiteFiles) async -> Response {
        let path = request.uri.path
        let folder = home.display(site.folder)
        // Resolving paths and reading files block: never on the threads every request shares.
        return await BlockingWork.run { () -> Response in
            switch site.answer(for: path) {
            case .file(let file, let contentType):
                guard let handle = FileHandle(forReadingAtPath: file),
                      let data = try? handle.read(upToCount: Self.maximumSiteFile + 1), data.count <= Self.maximumSiteFile else {
                    return Self.page(.notFound, "Not found", "No such page.")
                }
                try? handle.close()
                return Response(status: .ok, headers: [.contentType: contentType, .xContentTypeOptions: "nosniff", .cacheControl: "no-cache"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            case .redirect(let location):
                return Response(status: .movedPermanently, headers: [.location: location])
            case .notFound:
                return Self.page(.notFound, "Not found", "No such page.")
            case .notBuilt:
                return Self.page(.notFound, "No results site yet",
                                 "The results site has not been built yet: run <code>benchbot site</code>; it writes into \(SiteHTML.escape(folder)).")
            }
        }
    }

    /// A small HTML page for what is not a file of the site.
    static func page(_ status: HTTPResponse.Status, _ title: String, _ body: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title)</title></head>
            <body><h1>\(title)</h1><p>\(body)</p></body></html>

            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .xContentTypeOptions: "nosniff"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
