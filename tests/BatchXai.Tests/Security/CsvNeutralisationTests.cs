using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BatchXai.Aggregator;
using BatchXai.Storage.Csv;
using BatchXai.Aggregator.Audit;
using BatchXai.Cli;
using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;
using BatchXai.Synthetic;
using BatchXai.Tests.Localisation;
using BatchXai.Tests.Storage;

namespace BatchXai.Tests.Security;

/// <summary>
/// Formula injection: every CSV export writes a text cell that a spreadsheet would evaluate
/// (=, +, -, @, tab, CR first) with a leading apostrophe, and numbers as numbers. The files are
/// read back with Python's csv module, independently of our writer.
/// </summary>
public sealed class CsvNeutralisationTests
{
    /// <summary>Dataset keys a hostile uploader would choose.</summary>
    public static readonly string[] HostileKeys = ["=HYPERLINK(\"evil.example\",\"open\").png", "+cmd.png", "@sum(A1).png", "-2+3.png"];

    [Fact]
    public void Text_cells_that_could_start_a_formula_get_an_apostrophe_and_numbers_stay_numbers()
    {
        var csv = new CsvText("text", "double", "int", "float", "long", "plain")
            .Row("=1+1", -0.25, -3, -1.5f, -7L, "a,b")
            .Row("+cmd", double.NegativeInfinity, 0, 0f, 0L, "-")
            .Row("@sum(A1)", 1e-7, 1, 2f, 3L, "x=1")
            .Row("-2+3", -1e-7, -2, -0.5f, long.MinValue, "\"=quoted\"")
            .Row("\tTAB", 0.0, 5, 1f, 1L, "\r\n=line")
            .Row(null, null, null, null, null, "");
        var cells = ReadWithPython(csv.ToUtf8());

        Assert.Equal(["'=1+1", "-0.25", "-3", "-1.5", "-7", "a,b"], cells[1]);
        Assert.Equal(["'+cmd", "-Infinity", "0", "0", "0", "'-"], cells[2]);
        Assert.Equal(["'@sum(A1)", "1E-07", "1", "2", "3", "x=1"], cells[3]);
        Assert.Equal(["'-2+3", "-1E-07", "-2", "-0.5", long.MinValue.ToString(), "\"=quoted\""], cells[4]);
        Assert.Equal(["'\tTAB", "0", "5", "1", "1", "'\r\n=line"], cells[5]);
        Assert.Equal(["", "", "", "", "", ""], cells[6]);
    }

    [Fact]
    public void Every_run_table_neutralises_each_column_that_carries_user_text()
    {
        var results = HostileKeys.Append("\tpad.png").Append("\rcr.png").Select((key, i) =>
        {
            var row = RowFactory.Result(key, "=method", i);
            row.CompletenessDelta = -0.25;
            row.NpyUri = "@" + row.NpyUri;
            row.PngUri = "+" + row.PngUri;
            return row;
        }).ToList();
        var images = ReadWithPython(RunCsv.ImageResults(results));
        var header = images[0];
        foreach (var (row, cells) in results.Zip(images.Skip(1)))
        {
            Assert.Equal("'" + row.ImageKey, cells[header.IndexOf("image_key")]);
            Assert.Equal("'=method", cells[header.IndexOf("method")]);
            Assert.Equal("'" + row.NpyUri, cells[header.IndexOf("npy_uri")]);
            Assert.Equal("'" + row.PngUri, cells[header.IndexOf("png_uri")]);
            Assert.Equal("-0.25", cells[header.IndexOf("completeness_delta")]);
            Assert.Equal(row.Predicted.ToString(), cells[header.IndexOf("predicted")]);
        }

        var failures = HostileKeys.Select(k => new ImageFailureRow { ImageKey = k, Stage = "@decode", Error = "=cmd|' /C calc'!A0" }).ToList();
        foreach (var (row, cells) in failures.Zip(ReadWithPython(RunCsv.Failures(failures)).Skip(1)))
            Assert.Equal(["'" + row.ImageKey, "'@decode", "'=cmd|' /C calc'!A0"], cells);

        var aggregates = new[] { "=HYPERLINK(\"x\")", "+1", "@sum", "-2+3", "mild" }.Select((name, i) =>
        {
            var row = RowFactory.Aggregate(i, i);
            row.ClassName = name;
            row.Method = "-m";
            row.Selection = "+sel";
            row.ScoreMean = -0.25;
            return row;
        }).ToList();
        var classes = ReadWithPython(RunCsv.ClassAggregates(aggregates));
        foreach (var (row, cells) in aggregates.Zip(classes.Skip(1)))
        {
            Assert.Equal(row.ClassName == "mild" ? "mild" : "'" + row.ClassName, cells[classes[0].IndexOf("class_name")]);
            Assert.Equal(["'-m", "'+sel", "-0.25"], new[] { "method", "selection", "score_mean" }.Select(c => cells[classes[0].IndexOf(c)]));
            Assert.Equal(row.ClassIndex.ToString(), cells[classes[0].IndexOf("class_index")]);
        }

        var finding = new AuditFinding("=m", 0, "@kind", AuditSeverity.Warning, "-attribution outside", new Dictionary<string, object> { ["value"] = -0.25 });
        var audit = ReadWithPython(AuditCsv.Write([finding], ["+class"]));
        Assert.Equal(["'=m", "0", "'+class", "'@kind", "warning", "'-attribution outside", JsonSerializer.Serialize(finding.Evidence)], audit[1]);
    }

    [Fact]
    public async Task A_run_over_a_dataset_with_hostile_file_names_writes_them_neutralised_in_results_and_failures()
    {
        using var root = new TempFolder("csv-injection");
        var sample = root.Combine("sample");
        SampleDatasetWriter.Write(sample, HostileKeys.Length + 1, seed: 3, new SampleDataOptions { Size = 96 });
        var pictures = Directory.GetFiles(Path.Combine(sample, SampleDatasetWriter.ImagesFolder)).Order(StringComparer.Ordinal).ToArray();
        // An unlabelled folder: the file names are the image keys; one more file does not decode, so it fails.
        var data = root.Combine("data");
        Directory.CreateDirectory(data);
        for (int i = 0; i < HostileKeys.Length; i++)
            File.Copy(pictures[i], Path.Combine(data, HostileKeys[i]));
        const string broken = "=broken().png";
        File.WriteAllBytes(Path.Combine(data, broken), [1, 2, 3]);

        var outcome = await EmbeddedRunner.RunAsync(new RunArguments(data, PointingGameTests.BundledModel("dr_grader.json"), "cam", root.Combine("out")),
            EmbeddedRunner.Quietly, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, outcome.Run?.Status);
        using var store = new LocalFolderStore(root.Combine("out"));

        var results = ReadWithPython(await store.ReadAsync(ResultKeys.ResultsCsv(outcome.Run!.Id)));
        var keys = results.Skip(1).Select(r => r[results[0].IndexOf("image_key")]).Order(StringComparer.Ordinal);
        Assert.Equal(HostileKeys.Select(k => "'" + k).Order(StringComparer.Ordinal), keys);
        var failures = ReadWithPython(await store.ReadAsync(ResultKeys.FailuresCsv(outcome.Run.Id)));
        Assert.Equal("'" + broken, failures.Skip(1).Single()[0]);
    }

    /// <summary>The rows of a CSV file as Python's csv module reads it (what spreadsheet importers follow).</summary>
    public static List<List<string>> ReadWithPython(byte[] csv)
    {
        const string Script = "import csv, io, json, sys\n" +
            "text = sys.stdin.buffer.read().decode('utf-8')\n" +
            "print(json.dumps(list(csv.reader(io.StringIO(text, newline='')))))\n";
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start)!;
        python.StandardInput.BaseStream.Write(csv);
        python.StandardInput.Close();
        var output = python.StandardOutput.ReadToEnd();
        var errors = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, errors);
        return JsonSerializer.Deserialize<List<List<string>>>(output)!;
    }
}
