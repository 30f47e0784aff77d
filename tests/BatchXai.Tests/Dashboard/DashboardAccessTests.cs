using System.Net;
using BatchXai.Dashboard;
using BatchXai.Dashboard.Access;
using BatchXai.Http.Access;

namespace BatchXai.Tests.Dashboard;

/// <summary>Credentials: everything but /health needs the API key or basic auth; none of it shows in pages.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardAccessTests(DashboardRun fixture)
{
    private static readonly string[] Protected = ["/", "/assets/app.js", "/api/runs", "/openapi.json"];

    [Fact]
    public async Task Without_the_key_every_route_but_health_answers_401_with_a_basic_challenge()
    {
        using var client = fixture.Client(apiKey: null);
        foreach (var path in Protected.Append($"/api/runs/{fixture.Run.Id:D}/classes"))
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task With_the_key_or_basic_auth_the_api_answers_200_and_wrong_credentials_401()
    {
        async Task<HttpStatusCode> Status(HttpClient client)
        {
            using (client)
            using (var response = await client.GetAsync("/api/runs")) return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Status(fixture.Client()));
        Assert.Equal(HttpStatusCode.OK, await Status(fixture.BasicClient(DashboardRun.User, DashboardRun.Password)));
        Assert.Equal(HttpStatusCode.OK, await Status(fixture.BasicClient("anyone", DashboardRun.ApiKey)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Status(fixture.Client(apiKey: "test-key-3f1d")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Status(fixture.BasicClient(DashboardRun.User, "pw-9d2f")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Status(fixture.BasicClient("someone", DashboardRun.Password)));
    }

    [Fact]
    public async Task Pages_and_scripts_carry_no_credentials()
    {
        using var client = fixture.Client();
        foreach (var path in Protected)
        {
            var body = await client.GetStringAsync(path);
            Assert.DoesNotContain(DashboardRun.ApiKey, body);
            Assert.DoesNotContain(DashboardRun.Password, body);
        }
        Assert.DoesNotContain(DashboardRun.ApiKey, new ApiAccess { ApiKey = DashboardRun.ApiKey }.ToString());
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_credentials_is_refused()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DashboardApp.BuildAsync(new DashboardOptions { Database = fixture.Database, BindAddress = "0.0.0.0", Port = 0 }));
        Assert.Contains(DashboardAccess.Variables.ApiKey, e.Message);
    }
}
