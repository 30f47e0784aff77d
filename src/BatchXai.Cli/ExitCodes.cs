namespace BatchXai.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The run started but ended failed (e.g. aggregation error).</summary>
    public const int RunFailed = 1;
    /// <summary>Bad request: model, manifest, methods or dataset unusable; nothing was queued.</summary>
    public const int BadInput = 2;
}
