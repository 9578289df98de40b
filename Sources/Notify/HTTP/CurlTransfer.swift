import CCurl
import Foundation
import Synchronization

/// One blocking libcurl transfer. It owns its easy handle and header list, and frees them in
/// `deinit`; it is used on one thread only, which is why it is not `Sendable`.
final class CurlTransfer {
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let collected: Collected
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    /// What the callbacks gather; a class, so that its address stays put while libcurl holds it.
    final class Collected {
        var body = Data()
        var headers: [HTTPHeader] = []
        var status = 0
        var overLimit = false
        let limit: Int
        let cancellation: CancellationFlag

        init(limit: Int, cancellation: CancellationFlag) {
            self.limit = limit
            self.cancellation = cancellation
        }
    }

    init?(limit: Int, cancellation: CancellationFlag) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        collected = Collected(limit: limit, cancellation: cancellation)
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Runs the request to its end, on the calling thread.
    func perform(_ request: HTTPRequest, _ configuration: HTTPClient.Configuration) -> Result<HTTPResponse, HTTPClientError> {
        let url = request.url
        guard let scheme = URL(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure(.invalidURL(url, "only http and https are fetched"))
        }
        var setup = benchbot_curl_setopt_string(handle, CURLOPT_URL, url)
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(benchbot_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(benchbot_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(benchbot_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout)))
        set(benchbot_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.timeout)))
        // Verification is never switched off; a private CA is added with a bundle instead.
        set(benchbot_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(benchbot_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let bundle = configuration.caBundle { set(benchbot_curl_setopt_string(handle, CURLOPT_CAINFO, bundle)) }
        set(benchbot_curl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent))
        set(benchbot_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        set(benchbot_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        // "Expect:" stops libcurl's 100-continue round trip on larger bodies.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        set(benchbot_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        if let body = request.body {
            set(benchbot_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            set(body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so they need not outlive this call.
                benchbot_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            })
        } else if request.method == .get {
            set(benchbot_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        }
        let context = Unmanaged.passUnretained(collected).toOpaque()
        set(benchbot_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let collected = Unmanaged<CurlTransfer.Collected>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard collected.body.count + length <= collected.limit else {
                collected.overLimit = true
                return 0
            }
            if let data { collected.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length) }
            return length
        }))
        set(benchbot_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set(benchbot_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let collected = Unmanaged<CurlTransfer.Collected>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                // A new response (after a 100 Continue, say): only the last one's headers count.
                collected.headers = []
            } else if let colon = line.firstIndex(of: ":") {
                collected.headers.append(HTTPHeader(name: String(line[..<colon]),
                                                    value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            return length
        }))
        set(benchbot_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        set(benchbot_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(benchbot_curl_setopt_progress_callback(handle, { context, _, _, _, _ in
            Unmanaged<CurlTransfer.Collected>.fromOpaque(context!).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
        }))
        set(benchbot_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
        set(errorBuffer.withUnsafeMutableBufferPointer { benchbot_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, $0.baseAddress) })
        guard setup == CURLE_OK else {
            return .failure(.transfer(url, code: Int(setup.rawValue), String(cString: curl_easy_strerror(setup))))
        }

        let code = curl_easy_perform(handle)
        // libcurl wrote into the buffer during perform; it is read before anything else happens.
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OK:
            var status = 0
            _ = benchbot_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: collected.headers, body: collected.body))
        case CURLE_WRITE_ERROR where collected.overLimit:
            return .failure(.bodyTooLarge(url, limit: collected.limit))
        case CURLE_ABORTED_BY_CALLBACK:
            return .failure(.cancelled(url))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(url, seconds: Double(Self.milliseconds(configuration.timeout)) / 1000))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.couldNotConnect(url, message))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .failure(.tls(url, message))
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.invalidURL(url, message))
        default:
            return .failure(.transfer(url, code: Int(code.rawValue), message))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Set when the task awaiting a transfer is cancelled; libcurl's progress callback reads it.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
}
