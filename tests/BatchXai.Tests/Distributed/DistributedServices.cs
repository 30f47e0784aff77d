using System.Net.Sockets;
using BatchXai.Distributed.Bus;
using BatchXai.Storage.Objects;
using Npgsql;

namespace BatchXai.Tests.Distributed;

/// <summary>
/// The real services of the distributed mode on loopback, as infra/services.sh starts them.
/// Settings come from the same environment variables as the script, with its dev defaults.
/// </summary>
internal static class DistributedServices
{
    private static readonly Lazy<Task> Started = new(StartAsync);

    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    public static string S3Endpoint => Env(S3Settings.EndpointVariable, "http://127.0.0.1:4569");

    /// <summary>s3rver accepts exactly S3RVER / S3RVER.</summary>
    public static S3Settings S3(int listPageSize = 1000, int maxRetries = 3) => new()
    {
        Endpoint = S3Endpoint,
        AccessKey = Env(S3Settings.AccessKeyVariable, "S3RVER"),
        SecretKey = Env(S3Settings.SecretKeyVariable, "S3RVER"),
        ListPageSize = listPageSize,
        MaxRetries = maxRetries,
    };

    public static NpgsqlConnectionStringBuilder Postgres(string database) => new()
    {
        Host = Env("BATCHXAI_PG_HOST", "127.0.0.1"),
        Port = int.Parse(Env("BATCHXAI_PG_PORT", "5432")),
        Username = Env("BATCHXAI_PG_USER", "batchxai"),
        Password = Env("BATCHXAI_PG_PASSWORD", "batchxai-dev"),
        Database = database,
    };

    /// <summary>The broker as infra/services.sh sets it up; <paramref name="prefix"/> keeps a test's queues and exchanges apart.</summary>
    public static RabbitMqSettings RabbitMq(string prefix) => new()
    {
        Host = Env("BATCHXAI_RABBITMQ_HOST", "127.0.0.1"),
        Port = int.Parse(Env("BATCHXAI_RABBITMQ_PORT", "5672")),
        User = Env("BATCHXAI_RABBITMQ_USER", "batchxai"),
        Password = Env("BATCHXAI_RABBITMQ_PASSWORD", "batchxai-dev"),
        Prefix = prefix,
    };

    /// <summary>
    /// What a service process on the shared services is started with: the database, the broker
    /// under <paramref name="prefix"/>, the shared s3rver, results in <paramref name="bucket"/>, the API key.
    /// </summary>
    public static Dictionary<string, string> ServiceEnvironment(string postgresConnection, string prefix, string bucket, string apiKey)
    {
        var rabbit = RabbitMq(prefix);
        var s3 = S3();
        return new Dictionary<string, string>
        {
            ["BATCHXAI_PG_CONNECTION"] = postgresConnection,
            ["BATCHXAI_RABBITMQ_HOST"] = rabbit.Host, ["BATCHXAI_RABBITMQ_PORT"] = rabbit.Port.ToString(),
            ["BATCHXAI_RABBITMQ_USER"] = rabbit.User, ["BATCHXAI_RABBITMQ_PASSWORD"] = rabbit.Password!,
            ["BATCHXAI_RABBITMQ_PREFIX"] = prefix,
            [S3Settings.EndpointVariable] = s3.Endpoint!, [S3Settings.AccessKeyVariable] = s3.AccessKey!, [S3Settings.SecretKeyVariable] = s3.SecretKey!,
            ["BATCHXAI_RESULTS_URI"] = $"s3://{bucket}/results",
            [BatchXai.Distributed.Coordinator.CoordinatorAccess.Variables.ApiKey] = apiKey,
        };
    }

    /// <summary>Checks that PostgreSQL, S3 and RabbitMQ answer; starts them with infra/services.sh once per test run if not.</summary>
    public static Task EnsureStartedAsync() => Started.Value;

    private static async Task StartAsync()
    {
        var pg = Postgres("batchxai");
        var s3 = new Uri(S3Endpoint);
        var rabbit = RabbitMq("");
        if (await ListensAsync(pg.Host!, pg.Port) && await ListensAsync(s3.Host, s3.Port) && await ListensAsync(rabbit.Host, rabbit.Port)) return;

        await InfraScript.RunAsync("services.sh");
    }

    private static async Task<bool> ListensAsync(string host, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException) { return false; }
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "infra", "services.sh"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no infra/services.sh above {AppContext.BaseDirectory}");
    }
}
