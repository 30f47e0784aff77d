using Microsoft.ML.OnnxRuntime;

namespace BatchXai.Onnx.Runtime;

/// <summary>Error codes of ONNX Runtime (<c>OrtErrorCode</c>; the managed API's <see cref="ErrorCode"/> has the same values).</summary>
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

/// <summary>An ONNX Runtime call failed; says which call, on what (model, input), with ONNX Runtime's own message.</summary>
public sealed class OrtException : Exception
{
    public OrtException(OrtErrorCode errorCode, string operation, string? subject, string nativeMessage, Exception? inner = null)
        : base(Format(errorCode, operation, subject, nativeMessage), inner)
    {
        ErrorCode = errorCode;
        Operation = operation;
        Subject = subject;
        NativeMessage = nativeMessage;
    }

    /// <summary>The status code ONNX Runtime reported.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>The ONNX Runtime operation that failed, e.g. "Run" or "CreateSession".</summary>
    public string Operation { get; }

    /// <summary>What the call was about (model path, input name), when known.</summary>
    public string? Subject { get; }

    /// <summary>ONNX Runtime's own message, without the managed API's "[ErrorCode:…]" prefix.</summary>
    public string NativeMessage { get; }

    /// <summary>Wraps the managed API's exception, whose message starts with "[ErrorCode:Name] " (its code is not public).</summary>
    internal static OrtException From(OnnxRuntimeException e, string operation, string? subject)
    {
        const string Prefix = "[ErrorCode:";
        var message = e.Message;
        var code = OrtErrorCode.Fail;
        if (message.StartsWith(Prefix, StringComparison.Ordinal) && message.IndexOf(']', StringComparison.Ordinal) is var end and > 0)
        {
            if (!Enum.TryParse(message[Prefix.Length..end], out code)) code = OrtErrorCode.Fail;
            message = message[(end + 1)..].TrimStart();
        }
        return new OrtException(code, operation, subject, message, e);
    }

    private static string Format(OrtErrorCode code, string operation, string? subject, string nativeMessage) =>
        subject is null
            ? $"ONNX Runtime {operation} failed ({code}): {nativeMessage}"
            : $"ONNX Runtime {operation} failed for {subject} ({code}): {nativeMessage}";
}
