using System.Text.Json;
using BatchXai.Core.Audit;
using BatchXai.Storage.Csv;

namespace BatchXai.Aggregator.Audit;

/// <summary>&lt;run&gt;/audit.csv: one line per finding, most severe first.</summary>
public static class AuditCsv
{
    public static string SeverityName(AuditSeverity severity) => severity.ToString().ToLowerInvariant();

    public static byte[] Write(IEnumerable<AuditFinding> findings, IReadOnlyList<string> classNames)
    {
        var csv = new CsvText("method", "class_index", "class_name", "kind", "severity", "message", "evidence_json");
        foreach (var f in findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Method, StringComparer.Ordinal).ThenBy(f => f.ClassIndex).ThenBy(f => f.Kind, StringComparer.Ordinal))
            csv.Row(f.Method, f.ClassIndex, classNames[f.ClassIndex], f.Kind, SeverityName(f.Severity), f.Message, JsonSerializer.Serialize(f.Evidence));
        return csv.ToUtf8();
    }
}
