using System.Net.Http.Json;
using System.Text.Json;
using BatchXai.Distributed.Coordinator;
using BatchXai.Http.Access;

namespace BatchXai.Distributed.Client;

/// <summary>An answer of the coordinator that is not a success, with its message.</summary>
public sealed class CoordinatorApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// The coordinator's HTTP API from the other side: used by <c>batchxai submit</c>/<c>status</c> and
/// the tests. Sends the API key, when given, in the X-Api-Key header of every request.
/// </summary>
public sealed class CoordinatorClient(Uri baseAddress, string? apiKey = null) : IDisposable
{
    public const string UrlVariable = "BATCHXAI_COORDINATOR_URL";
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>The URL given, else BATCHXAI_COORDINATOR_URL, else http://127.0.0.1:8080; the key from BATCHXAI_COORDINATOR_API_KEY.</summary>
    public static CoordinatorClient For(string? url) =>
        new(new Uri(url ?? Variable(UrlVariable) ?? DefaultUrl), Variable(CoordinatorAccess.Variables.ApiKey));

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public Task<RunView> StartRunAsync(StartRunRequest request, CancellationToken ct = default) => SendAsync<RunView>(HttpMethod.Post, "runs", request, ct);
    public Task<RunView> RunAsync(Guid id, CancellationToken ct = default) => SendAsync<RunView>(HttpMethod.Get, $"runs/{id:D}", null, ct);
    public Task<List<RunView>> RunsAsync(int limit = 50, CancellationToken ct = default) => SendAsync<List<RunView>>(HttpMethod.Get, $"runs?limit={limit}", null, ct);
    public Task<List<FailureView>> FailuresAsync(Guid id, CancellationToken ct = default) => SendAsync<List<FailureView>>(HttpMethod.Get, $"runs/{id:D}/failures", null, ct);
    public Task<JsonElement> ErrorsAsync(CancellationToken ct = default) => SendAsync<JsonElement>(HttpMethod.Get, "errors", null, ct);
    public Task<ScheduleView> CreateScheduleAsync(CreateScheduleRequest request, CancellationToken ct = default) => SendAsync<ScheduleView>(HttpMethod.Post, "schedules", request, ct);
    public Task<ScheduleView> ScheduleAsync(Guid id, CancellationToken ct = default) => SendAsync<ScheduleView>(HttpMethod.Get, $"schedules/{id:D}", null, ct);
    public Task TriggerScheduleAsync(Guid id, CancellationToken ct = default) => SendAsync<JsonElement?>(HttpMethod.Post, $"schedules/{id:D}/trigger", null, ct);

    /// <summary>Polls a run until it is completed or failed.</summary>
    public async Task<RunView> WaitAsync(Guid id, Action<RunView>? progress = null, TimeSpan? poll = null, CancellationToken ct = default)
    {
        while (true)
        {
            var run = await RunAsync(id, ct);
            progress?.Invoke(run);
            if (run.Status is Contracts.RunStatus.Completed or Contracts.RunStatus.Failed) return run;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        if (apiKey is not null) request.Headers.Add(ApiAccess.ApiKeyHeader, apiKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CoordinatorApiException(0, $"coordinator at {_http.BaseAddress} is not reachable: {e.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                string message = text;
                try { message = JsonSerializer.Deserialize<ApiError>(text, Json)?.Error ?? text; } catch (JsonException) { }
                if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                    message = apiKey is null ? $"the coordinator needs its API key: set {CoordinatorAccess.Variables.ApiKey}" : $"the coordinator refused the API key given ({CoordinatorAccess.Variables.ApiKey})";
                throw new CoordinatorApiException((int)response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {message}");
            }
            return text.Length == 0 ? default! : JsonSerializer.Deserialize<T>(text, Json)!;
        }
    }

    public void Dispose() => _http.Dispose();
}
