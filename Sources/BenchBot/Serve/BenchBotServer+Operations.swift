import Foundation
import Hummingbird
import NIOCore

extension BenchBotServer {
    /// `GET /healthz` and `GET /metrics`.
    func addOperationsRoutes(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            // Healthy means the store answers: a server that cannot keep deliveries must be restarted or looked at.
            do {
                _ = try await store.countDeliveries()
                return Self.answer(.ok, "ok")
            } catch {
                return Self.answer(.serviceUnavailable, "store unavailable: \(error)")
            }
        }
        router.get("/metrics") { _, _ -> Response in
            do {
                let text = metrics.render(jobs: try await store.countJobs(), outbox: try await store.countNotifications(),
                                          deliveries: try await store.countDeliveries(), syncs: store.deliverySyncTimes())
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            } catch {
                return Self.answer(.serviceUnavailable, "store unavailable: \(error)")
            }
        }
    }
}
