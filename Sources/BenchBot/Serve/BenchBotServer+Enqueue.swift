import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension BenchBotServer {
    /// The largest body of `POST /api/v1/enqueue`: its fields fit in a few hundred bytes.
    static let maximumEnqueueBody = 64 * 1024

    /// `POST /api/v1/enqueue`: queues what the body names, as `benchbot enqueue` does, for a
    /// client holding the API token.
    func enqueue(_ request: Request) async -> Response {
        guard let apiToken else {
            return Self.answer(.forbidden, "enqueuing over HTTP is off: no API token is configured; set the variable "
                + "benchbot.serve.api_token_env names (\(config.benchbot.serve.apiTokenEnvironment ?? "BENCHBOT_API_TOKEN")), "
                + "or benchbot.serve.api_token_file, and restart benchbot serve")
        }
        guard BearerToken.matches(request.headers[.authorization], token: apiToken) else {
            logger.warning("POST /api/v1/enqueue refused: \(request.headers[.authorization] == nil ? "no" : "a wrong") bearer token")
            var response = Self.answer(.unauthorized, "missing or wrong token; send the header Authorization: Bearer TOKEN")
            response.headers[.wwwAuthenticate] = #"Bearer realm="benchbot""#
            return response
        }
        let order: EnqueueOrder
        do {
            let body = try await request.body.collect(upTo: Self.maximumEnqueueBody)
            order = try EnqueueBody.parse(Data(body.readableBytesView))
        } catch let problem as APIProblem {
            return Self.answer(problem.status, problem.message)
        } catch {
            return Self.answer(.contentTooLarge, "the body is over \(Self.maximumEnqueueBody / 1024) KiB; send one JSON object such as {\"commit\": \"1a2b3c4d\"}")
        }
        let intake = self.intake
        do {
            // Fetching waits on the network: never on the threads every request shares.
            let outcome = try await BlockingWork.run { try await order.run(on: intake) }
            logger.info("POST /api/v1/enqueue: \(outcome.summary)")
            return await answering { documents.enqueued(outcome) }
        } catch {
            return failure(error)
        }
    }
}
