import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension BenchBotServer {
    /// `POST /webhooks/github`: verifies, keeps and answers; the delivery is applied afterwards.
    func addWebhookRoutes(to router: Router<BasicRequestContext>) {
        router.post("/webhooks/github") { request, _ -> Response in
            await receive(request)
        }
    }

    func receive(_ request: Request) async -> Response {
        let metrics = self.metrics
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumBody {
            metrics.rejected(.tooLarge)
            // The body is never read: the connection closes, or the client would wait on it.
            var answer = Self.answer(.contentTooLarge, "payload over GitHub's 25 MB limit")
            answer.headers[.connection] = "close"
            return answer
        }
        let form: Bool
        switch Self.mediaType(request.headers[.contentType]) {
        case "application/json": form = false
        case "application/x-www-form-urlencoded": form = true
        default:
            metrics.rejected(.contentType)
            return Self.answer(.unsupportedMediaType, "content type must be application/json (or GitHub's application/x-www-form-urlencoded)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBody)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            metrics.rejected(.tooLarge)
            return Self.answer(.contentTooLarge, "payload over GitHub's 25 MB limit")
        } catch {
            // The client went away mid-body: nothing of it is read, and it is not a payload too large.
            metrics.rejected(.malformed)
            return Self.answer(.badRequest, "the request's body ended before its length")
        }
        let body = Data(buffer.readableBytesView)
        let deliveryID = request.headers[Self.deliveryHeader].map { PlainText.singleLine(String($0.prefix(100))) } ?? "?"
        guard let secret = webhookSecret else {
            metrics.rejected(.noSecret)
            logger.error("delivery \(deliveryID) refused: no webhook secret is configured (benchbot.github.webhook_secret_env or _file)")
            return Self.answer(.serviceUnavailable, "this server has no webhook secret configured")
        }
        // Only the signature decides: nothing of an unsigned body is read, logged or kept.
        guard WebhookSignature.isValid(request.headers[Self.signatureHeader], body: body, secret: secret) else {
            metrics.rejected(.signature)
            logger.warning("delivery \(deliveryID) refused: \(request.headers[Self.signatureHeader] == nil ? "no" : "bad") X-Hub-Signature-256")
            return Self.answer(.unauthorized, "missing or wrong X-Hub-Signature-256")
        }
        guard let id = request.headers[Self.deliveryHeader], Self.isToken(id, limit: 100) else {
            metrics.rejected(.malformed)
            return Self.answer(.badRequest, "X-GitHub-Delivery must be GitHub's delivery GUID: letters, digits, '-', '_' or '.', at most 100")
        }
        guard let event = request.headers[Self.eventHeader], Self.isToken(event, limit: 64) else {
            metrics.rejected(.malformed)
            return Self.answer(.badRequest, "X-GitHub-Event must name GitHub's event, such as push: letters, digits and '_', at most 64")
        }
        guard let json = form ? Self.formPayload(body) : body else {
            metrics.rejected(.malformed)
            return Self.answer(.badRequest, "a form-encoded delivery must carry its JSON in the payload field")
        }
        let action: String?
        do {
            action = try JSONParser.topLevelField("action", in: json).string.map { String($0.prefix(64)) }
        } catch {
            metrics.rejected(.malformed)
            logger.warning("delivery \(id) refused: signed, but its payload cannot be read: \(error)")
            return Self.answer(.badRequest, "the payload cannot be read as JSON: \(error)")
        }
        let delivery = WebhookDelivery(id: id, event: event, action: action, body: json, receivedAt: Date())
        do {
            guard try await store.recordDelivery(delivery, durability: config.benchbot.serve.durability) else {
                metrics.redelivered()
                return Self.answer(.ok, "delivery \(id) was received before; nothing changed")
            }
        } catch {
            metrics.rejected(.storeUnavailable)
            logger.error("delivery \(id) not kept: \(error)")
            return Self.answer(.serviceUnavailable, "the store is unavailable; redeliver later")
        }
        metrics.accepted(event: event)
        kick.signal()
        return Self.answer(.ok, "delivery \(id) (\(delivery.label)) accepted")
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")!
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!

    /// GitHub's ids are GUIDs and its events lower-case words; anything else is no delivery of GitHub's.
    static func isToken(_ text: String, limit: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= limit
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// The `payload` field of a form-encoded delivery.
    static func formPayload(_ body: Data) -> Data? {
        let text = String(decoding: body, as: UTF8.self)
        for field in text.split(separator: "&") where field.hasPrefix("payload=") {
            return field.dropFirst("payload=".count).replacingOccurrences(of: "+", with: " ").removingPercentEncoding.map { Data($0.utf8) }
        }
        return nil
    }

    /// A `Content-Type`'s media type, lower-cased, without parameters or blanks around it.
    static func mediaType(_ header: String?) -> String? {
        // By bytes: Foundation's trimming took as long as the rest of the header checks together.
        guard let header else { return nil }
        let bytes = header.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let trimmed = bytes.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
        return String(decoding: trimmed.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// A small JSON answer: `{"message":"…"}`.
    static func answer(_ status: HTTPResponse.Status, _ message: String) -> Response {
        // Written by hand: every delivery is answered, and a JSONEncoder per answer cost more than its HMAC.
        var body = ByteBuffer()
        body.reserveCapacity(message.utf8.count + 16)
        body.writeString(#"{"message":""#)
        for byte in message.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                body.writeInteger(UInt8(ascii: "\\"))
                body.writeInteger(byte)
            case ..<0x20:
                body.writeString("\\u00")
                body.writeInteger(Self.hexDigits[Int(byte >> 4)])
                body.writeInteger(Self.hexDigits[Int(byte & 0xF)])
            default:
                body.writeInteger(byte)
            }
        }
        body.writeString(#""}"#)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
