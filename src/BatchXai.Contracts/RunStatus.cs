namespace BatchXai.Contracts;

/// <summary>Life cycle of a run, as stored in the runs table.</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Aggregating = "aggregating";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>Where in the worker an image failed, recorded with the reason.</summary>
public static class FailureStage
{
    public const string Read = "read";
    public const string Decode = "decode";
    public const string Preprocess = "preprocess";
    public const string Inference = "inference";
    public const string Explain = "explain";
    public const string Enumerate = "enumerate";
}
