using System.Net;
using System.Net.Sockets;
using BatchXai.Distributed.Bus;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>
/// A RabbitMQ node of the test's own (infra/private-rabbitmq.sh), so a test can stop the broker
/// mid-run and start it again on the same data without touching the shared one.
/// </summary>
internal sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string Password = "batchxai-faults"; // the script's default; loopback only, for one test class

    private PrivateRabbitMq(string folder, int port) { Folder = folder; Port = port; }

    public string Folder { get; }
    public int Port { get; }

    /// <summary>The node as a service reaches it, under <paramref name="prefix"/>.</summary>
    public RabbitMqSettings Settings(string prefix) => new() { Host = "127.0.0.1", Port = Port, User = "batchxai", Password = Password, Prefix = prefix };

    public static async Task<PrivateRabbitMq> CreateAsync()
    {
        await DistributedServices.EnsureStartedAsync(); // installs rabbitmq-server on a fresh machine
        // Not a CreateTempSubdirectory folder: as root the node runs as user rabbitmq, who must reach it.
        var folder = Path.Combine(Path.GetTempPath(), $"batchxai-rabbitmq-{Guid.NewGuid():N}");
        int amqp = FixedPort(), dist = FixedPort(except: amqp);
        var broker = new PrivateRabbitMq(folder, amqp);
        await ScriptAsync("init", folder, amqp.ToString(), dist.ToString());
        await broker.StartAsync();
        return broker;
    }

    /// <summary>Starts the node (again) and waits until AMQP answers.</summary>
    public Task StartAsync() => ScriptAsync("start", Folder);

    /// <summary>rabbitmqctl stop: every client connection is cut; durable queues and persistent messages stay on disk.</summary>
    public Task StopAsync() => ScriptAsync("stop", Folder);

    /// <summary>
    /// A free loopback port in 20000–32000, below the ephemeral range (32768+): the node binds it
    /// again after a restart, and a client's outgoing connection can never have taken it meanwhile.
    /// </summary>
    private static int FixedPort(int except = 0)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(20000, 32000);
            if (port == except || port == 25672) continue; // 25672: the shared node's dist port
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free port in 20000-32000");
    }

    private static Task ScriptAsync(params string[] arguments) => InfraScript.RunAsync("private-rabbitmq.sh", arguments);

    public async ValueTask DisposeAsync() => await ScriptAsync("destroy", Folder);
}
