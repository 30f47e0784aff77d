using System.Diagnostics;
using System.Net.Sockets;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>
/// An s3rver of the test's own (the one infra/services.sh installs into tools/s3rver) on a free
/// port with its own data folder, so a test can stop it mid-run and start it again with the same
/// objects, without touching the shared one.
/// </summary>
internal sealed class PrivateS3 : IDisposable
{
    private Process? _process;

    public int Port { get; } = ServiceProcess.FreePort();
    public string Folder { get; } = Directory.CreateTempSubdirectory("batchxai-s3-").FullName;
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public const string Bucket = "faults";

    public async Task StartAsync()
    {
        await DistributedServices.EnsureStartedAsync(); // installs s3rver on a fresh machine
        var s3rver = Path.Combine(DistributedServices.RepositoryRoot(), "tools", "s3rver", "node_modules", ".bin", "s3rver");
        if (!File.Exists(s3rver)) throw new FileNotFoundException($"no s3rver at {s3rver}: run infra/services.sh", s3rver);
        var start = new ProcessStartInfo(s3rver) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--address", "127.0.0.1", "--port", Port.ToString(), "--directory", Folder, "--configure-bucket", Bucket, "--silent" })
            start.ArgumentList.Add(a);
        // As infra/services.sh: s3rver's continuation tokens use DES, in OpenSSL 3's legacy provider.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _process = Process.Start(start)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await ListensAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"s3rver on port {Port} did not start");
            await Task.Delay(200);
        }
    }

    /// <summary>Kills the server (its objects stay in <see cref="Folder"/>).</summary>
    public void Stop()
    {
        if (_process is null) return;
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    private async Task<bool> ListensAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException) { return false; }
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
