public import Logging
public import Notify

/// A log handler that masks secrets before passing each message on.
///
/// Whatever a message interpolates (a remote URL with a token in it, a webhook URL), the
/// secret never reaches the terminal, the journal or a log file.
public struct RedactingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    private let redactor: SecretRedactor

    /// - Parameters:
    ///   - wrapped: The handler that writes the messages.
    ///   - redactor: What to mask.
    public init(wrapping wrapped: any LogHandler, redactor: SecretRedactor) {
        self.wrapped = wrapped
        self.redactor = redactor
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var redacted = event
        redacted.message = "\(redactor.redact(event.message.description))"
        redacted.metadata = event.metadata?.mapValues { .string(redactor.redact($0.description)) }
        wrapped.log(event: redacted)
    }
}
