using System.Globalization;

namespace BatchXai.Tests.Distributed.Faults;

/// <summary>Reads samples from a Prometheus text exposition (what GET /metrics returns).</summary>
internal static class PrometheusText
{
    public static async Task<string> ScrapeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
    }

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels contain all of <paramref name="labels"/> (e.g. method="crm").</summary>
    public static double Sum(string text, string metric, params string[] labels)
    {
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(metric, StringComparison.Ordinal)) continue;
            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' ')) continue; // another metric with this prefix
            if (!labels.All(rest.Contains)) continue;
            int close = rest.IndexOf('}');
            var value = (close >= 0 ? rest[(close + 1)..] : rest).Trim().Split(' ')[0];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
