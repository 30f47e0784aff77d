using System.Runtime.InteropServices;

namespace BatchXai.Cli;

/// <summary>
/// SIGTERM and SIGINT (docker stop, a k8s rolling update, Ctrl+C) cancel the command's token
/// instead of killing the process, and nothing forces an exit after a fixed time: each command
/// stops within its own grace period (services: SHUTDOWN_GRACE_SECONDS) and returns its exit code.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)];
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
