using System.Net.Sockets;
using BatchXai.Coordinator;
using BatchXai.Distributed.Bus;
using BatchXai.Distributed.Configuration;
using BatchXai.Distributed.Coordinator;
using BatchXai.Distributed.Worker;
using BatchXai.Storage;
using BatchXai.Storage.Objects;
using BatchXai.Tests.Storage;
using Npgsql;

namespace BatchXai.Tests.Distributed;

/// <summary>Settings of the distributed services: where they come from, what is never printed, what is refused.</summary>
public sealed class ServiceSettingsTests
{
    [Fact]
    public void Options_win_over_environment_which_wins_over_the_config_file()
    {
        using var folder = new TempFolder("settings");
        string key = $"TEST_{Guid.NewGuid():N}", fileOnly = $"TEST_{Guid.NewGuid():N}";
        var file = folder.Combine("settings.json");
        File.WriteAllText(file, $$"""{ "{{key}}": "file", "{{fileOnly}}": "file" }""");
        Environment.SetEnvironmentVariable(ServiceConfiguration.EnvironmentPrefix + key, "env");
        try
        {
            Assert.Equal("env", ServiceConfiguration.Build(file)[key]);
            Assert.Equal("file", ServiceConfiguration.Build(file)[fileOnly]);
            Assert.Equal("option", ServiceConfiguration.Build(file, new Dictionary<string, string?> { [key] = "option" })[key]);
        }
        finally { Environment.SetEnvironmentVariable(ServiceConfiguration.EnvironmentPrefix + key, null); }
    }

    [Fact]
    public void Passwords_never_appear_in_what_the_services_log()
    {
        var config = ServiceConfiguration.Build(overrides: new Dictionary<string, string?>
        {
            ["RABBITMQ_USER"] = "u", ["RABBITMQ_PASSWORD"] = "rabbit-secret-1", ["PG_PASSWORD"] = "pg-secret-2", ["PG_DATABASE"] = "db",
        });
        var rabbit = RabbitMqSettings.From(config).ToString();
        var postgres = PostgresSettings.From(config);
        Assert.DoesNotContain("rabbit-secret-1", rabbit);
        Assert.Contains("u@", rabbit);
        Assert.DoesNotContain("pg-secret-2", postgres.ToString());
        Assert.Contains("pg-secret-2", postgres.ConnectionString); // but it is used
    }

    [Fact]
    public void A_setting_that_is_no_number_or_out_of_range_names_its_key()
    {
        var bad = ServiceConfiguration.Build(overrides: new Dictionary<string, string?> { ["WORKER_CONCURRENCY"] = "many" });
        Assert.Contains("WORKER_CONCURRENCY", Assert.Throws<FormatException>(() => WorkerSettings.From(bad)).Message);
        var big = ServiceConfiguration.Build(overrides: new Dictionary<string, string?> { ["BATCH_SIZE"] = "512" });
        Assert.Contains("BATCH_SIZE", Assert.Throws<ArgumentOutOfRangeException>(() => CoordinatorSettings.From(big)).Message);
        var provider = ServiceConfiguration.Build(overrides: new Dictionary<string, string?> { ["WORKER_PROVIDER"] = "tpu" });
        Assert.Contains("WORKER_PROVIDER", Assert.Throws<ArgumentException>(() => WorkerSettings.From(provider)).Message);
    }

    [Fact]
    public void A_run_request_with_a_bad_field_is_refused_naming_the_field()
    {
        using var folder = new TempFolder("models");
        File.WriteAllText(folder.Combine("grader.json"), "{}");
        var settings = new CoordinatorSettings(0, "s3://b/results", folder.Path, 32);
        var factory = new RunRequestFactory(settings, RequestLimits.Of(settings));

        Assert.Contains("batchSize", Assert.Throws<RunSetupException>(() => factory.Create(new StartRunRequest("s3://b/d", "grader", BatchSize: 0))).Message);
        Assert.Contains("batchSize", Assert.Throws<RunSetupException>(() => factory.Create(new StartRunRequest("s3://b/d", "grader", BatchSize: 257))).Message);
        Assert.Contains("'model'", Assert.Throws<RunSetupException>(() => factory.Create(new StartRunRequest("s3://b/d", "no-such-model"))).Message);
        // A target may name a class or finding (checked against the model when the run starts: TargetRefusalTests); naming none is refused here.
        Assert.Contains("'target'", Assert.Throws<RunSetupException>(() => factory.Create(new StartRunRequest("s3://b/d", "grader", Target: "finding:"))).Message);
        Assert.Contains("'dataset'", Assert.Throws<RunSetupException>(() => factory.Create(new StartRunRequest(" ", "grader"))).Message);

        var request = factory.Create(new StartRunRequest("s3://b/d", "grader", ["cam"], BatchSize: 16));
        Assert.Equal((folder.Combine("grader.json"), 16, "s3://b/results"), (request.ModelManifestPath, request.BatchSize, request.ResultsUri));
    }

    [Fact]
    public void Only_broker_database_and_storage_hiccups_are_retried()
    {
        Assert.True(TransientFaults.IsTransient(new TimeoutException()));
        Assert.True(TransientFaults.IsTransient(new NpgsqlException("connection lost", new SocketException())));
        Assert.True(TransientFaults.IsTransient(new PostgresException("deadlock", "ERROR", "ERROR", "40P01")));
        Assert.True(TransientFaults.IsTransient(new IOException("read s3://b/k", new Amazon.S3.AmazonS3Exception("slow down") { StatusCode = System.Net.HttpStatusCode.ServiceUnavailable })));
        Assert.False(TransientFaults.IsTransient(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.False(TransientFaults.IsTransient(new IOException("read s3://b/k", new Amazon.S3.AmazonS3Exception("denied") { StatusCode = System.Net.HttpStatusCode.Forbidden })));
        Assert.False(TransientFaults.IsTransient(new ArgumentException("bad manifest")));
        Assert.False(TransientFaults.IsTransient(new FileNotFoundException("no model")));
        // PostgreSQL stopping (57P01) or refusing connections while it starts (57P03), an unreachable store.
        Assert.True(TransientFaults.IsTransient(new PostgresException("terminating connection", "FATAL", "FATAL", "57P01")));
        Assert.True(TransientFaults.IsTransient(new StoreUnavailableException("cannot read s3://b/k", new HttpRequestException("refused"))));
        Assert.False(TransientFaults.IsTransient(new IOException("no object 'k'")));
    }

    [Fact]
    public void Faults_that_crossed_the_bus_are_judged_by_type_name_and_sqlstate()
    {
        Assert.True(TransientFaults.IsTransient("BatchXai.Storage.Objects.StoreUnavailableException", "cannot read s3://b/k"));
        Assert.True(TransientFaults.IsTransient("Npgsql.NpgsqlException", "Failed to connect to 127.0.0.1:5432"));
        Assert.True(TransientFaults.IsTransient("Npgsql.PostgresException", "57P01: terminating connection due to administrator command"));
        Assert.False(TransientFaults.IsTransient("Npgsql.PostgresException", "23505: duplicate key value violates unique constraint"));
        Assert.False(TransientFaults.IsTransient("System.IO.FileNotFoundException", "no model"));
    }
}
