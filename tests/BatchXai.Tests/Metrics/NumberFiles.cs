using System.Globalization;

namespace BatchXai.Tests.Metrics;

/// <summary>Numbers handed to the numpy references as text files (one value a line, round-trip precision), in a temp folder the test owns.</summary>
internal sealed class NumberFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("batchxai-metric-ref-").FullName;

    public string Write(string name, IEnumerable<double> values)
    {
        var path = Path.Combine(Folder, name + ".txt");
        File.WriteAllLines(path, values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return path;
    }

    public string Write(string name, IEnumerable<float> values) => Write(name, values.Select(v => (double)v));

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
