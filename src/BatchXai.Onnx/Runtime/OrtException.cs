namespace BatchXai.Onnx.Runtime;

/// <summary>Error codes of the ONNX Runtime C API (<c>OrtErrorCode</c>).</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
}

/// <summary>An ONNX Runtime C API call returned an error status.</summary>
public sealed class OrtException : Exception
{
    public OrtException(OrtErrorCode errorCode, string operation, string? subject, string nativeMessage)
        : base(Format(errorCode, operation, subject, nativeMessage))
    {
        ErrorCode = errorCode;
        Operation = operation;
        Subject = subject;
        NativeMessage = nativeMessage;
    }

    /// <summary>The status code ONNX Runtime reported.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>The C API function that failed, e.g. "Run" or "CreateSession".</summary>
    public string Operation { get; }

    /// <summary>What the call was about (model path, input name), when known.</summary>
    public string? Subject { get; }

    /// <summary>ONNX Runtime's own message (from <c>GetErrorMessage</c>).</summary>
    public string NativeMessage { get; }

    private static string Format(OrtErrorCode code, string operation, string? subject, string nativeMessage) =>
        subject is null
            ? $"ONNX Runtime {operation} failed ({code}): {nativeMessage}"
            : $"ONNX Runtime {operation} failed for {subject} ({code}): {nativeMessage}";
}
