using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// One BatchXai service as a real child process (<c>dotnet batchxai.dll worker ...</c>), with its
/// output kept for assertions and failure messages, killed with its process tree on dispose.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public ServiceProcess(string name, int port, IReadOnlyDictionary<string, string> environment, params string[] arguments)
        : this(name, port, environment, workingDirectory: null, arguments) { }

    /// <param name="workingDirectory">Where the process starts (default: the test's own working directory).</param>
    public ServiceProcess(string name, int port, IReadOnlyDictionary<string, string> environment, DirectoryInfo? workingDirectory, params string[] arguments)
    {
        Name = name;
        Port = port;
        WorkingDirectory = workingDirectory?.FullName ?? Environment.CurrentDirectory;
        var cli = Path.Combine(AppContext.BaseDirectory, "batchxai.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = WorkingDirectory };
        start.ArgumentList.Add(cli);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Port { get; }
    public string WorkingDirectory { get; }
    public string Output => string.Join('\n', _lines);

    /// <summary>Waits until GET /health answers 200; fails with the process's output if it exits or never does.</summary>
    public async Task WaitHealthyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{Port}/health")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{Name} did not become healthy within {limit}:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as docker stop and k8s do.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, Sigterm) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGKILL, with its children: a crash, nothing finished or released.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>The exit code once the process has ended, and how long that took; TimeoutException (with its output) past <paramref name="limit"/>.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> WaitForExitAsync(TimeSpan limit)
    {
        var started = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(limit);
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{Name} still running {limit} after the signal:\n{Output}"); }
        return (_process.ExitCode, started.Elapsed);
    }

    private const int Sigterm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public static int FreePort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
