using BatchXai.Storage.Csv;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator;

/// <summary>Writes a run's tables as CSV beside its maps: results.csv, failures.csv and classes.csv.</summary>
public sealed class RunReportWriter(ResultStore results, IObjectStoreFactory? stores = null)
{
    public async Task WriteAsync(RunRow run, CancellationToken ct)
    {
        using var output = (stores ?? ObjectStoreFactory.FromEnvironment).Open(run.ResultsUri);
        await output.WriteAsync(ResultKeys.ResultsCsv(run.Id), RunCsv.ImageResults(await results.AllResultsAsync(run.Id, ct)), ct);
        await output.WriteAsync(ResultKeys.FailuresCsv(run.Id), RunCsv.Failures(await results.FailuresAsync(run.Id, ct)), ct);
        await output.WriteAsync(ResultKeys.ClassesCsv(run.Id), RunCsv.ClassAggregates(await results.ClassAggregatesAsync(run.Id, ct)), ct);
    }
}
