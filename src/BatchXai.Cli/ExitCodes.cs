namespace BatchXai.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The run started but ended failed (e.g. aggregation error).</summary>
    public const int RunFailed = 1;
    /// <summary>Bad request: model, manifest, methods or dataset unusable; nothing was queued.</summary>
    public const int BadInput = 2;
    /// <summary>Stopped by SIGINT/SIGTERM before the run ended (128 + SIGINT, as shells report Ctrl+C).</summary>
    public const int Interrupted = 130;
}
