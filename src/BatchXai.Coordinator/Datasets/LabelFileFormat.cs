using System.Text;

namespace BatchXai.Coordinator.Datasets;

/// <summary>One row of a label file: its 1-based line, the image id, the label text, and the mask path when the file has a <c>mask</c> column and the cell is not empty.</summary>
public readonly record struct LabelRow(int Line, string Id, string Label, string? Mask = null);

/// <summary>The label files BatchXai recognises at a dataset's root, and how to read them.</summary>
public sealed record LabelFileFormat(string FileName, string IdColumn, string LabelColumn, string? ImageFolder, string Description)
{
    public static readonly IReadOnlyList<LabelFileFormat> Known =
    [
        new("train.csv", "id_code", "diagnosis", "train_images", "APTOS 2019 (train.csv: id_code,diagnosis)"),
        new("trainLabels.csv", "image", "level", "train", "EyePACS (trainLabels.csv: image,level)"),
        new("labels.csv", "key", "label", null, "generic label file (labels.csv: key,label)"),
    ];

    /// <summary>
    /// The optional column naming each image's ground-truth mask: a path relative to the dataset root,
    /// an alternative to the <c>masks/</c> folder (README, "Metrics"). Any of the known files may carry it.
    /// </summary>
    public const string MaskColumn = "mask";

    /// <summary>
    /// A labels.csv whose header has a <c>findings</c> column instead of <c>label</c>: a multi-label dataset (chest X-rays),
    /// each row naming the image's findings separated by ';' or '|' (names or class indices); an empty cell or
    /// "No Finding" means none.
    /// </summary>
    public static readonly LabelFileFormat Findings = new("labels.csv", "key", "findings", null, "multi-label label file (labels.csv: key,findings)");

    public bool IsMultiLabel => ReferenceEquals(this, Findings);

    /// <summary>The format a file found under <paramref name="format"/>'s name is written in: labels.csv with a findings column is <see cref="Findings"/>.</summary>
    public static LabelFileFormat Of(LabelFileFormat format, string text)
    {
        if (format.FileName != Findings.FileName) return format;
        var header = SplitRecord(text.TrimStart('\uFEFF').Split('\n', 2)[0].TrimEnd('\r'));
        bool findings = header.Any(h => h.Equals(Findings.LabelColumn, StringComparison.OrdinalIgnoreCase));
        bool label = header.Any(h => h.Equals(format.LabelColumn, StringComparison.OrdinalIgnoreCase));
        return findings && !label ? Findings : format;
    }

    /// <summary>Reads the rows; a malformed header is an error naming the file and the columns it needs.</summary>
    public static IEnumerable<LabelRow> Parse(LabelFileFormat format, string text)
    {
        // A byte order mark survives UTF-8 decoding as U+FEFF and would hide the first column's name.
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var header = SplitRecord(lines[0]);
        int idCol = header.FindIndex(h => h.Equals(format.IdColumn, StringComparison.OrdinalIgnoreCase));
        int labelCol = header.FindIndex(h => h.Equals(format.LabelColumn, StringComparison.OrdinalIgnoreCase));
        int maskCol = header.FindIndex(h => h.Equals(MaskColumn, StringComparison.OrdinalIgnoreCase));
        if (idCol < 0 || labelCol < 0)
            throw new InvalidDataException($"{format.FileName}: header '{lines[0]}' lacks the columns '{format.IdColumn},{format.LabelColumn}'");
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var cells = SplitRecord(lines[i]);
            string id = idCol < cells.Count ? cells[idCol] : "";
            string label = labelCol < cells.Count ? cells[labelCol] : "";
            string? mask = maskCol >= 0 && maskCol < cells.Count && cells[maskCol].Length > 0 ? cells[maskCol] : null;
            yield return new LabelRow(i + 1, id, label, mask);
        }
    }

    /// <summary>
    /// Splits one CSV record (RFC 4180 quoting: a quoted cell may hold commas, "" is a quote).
    /// Cells are trimmed outside their quotes; a field spanning lines is not supported (ids and
    /// labels never hold line breaks).
    /// </summary>
    private static List<string> SplitRecord(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i < line.Length && line[i] == '"')
            {
                for (i++; i < line.Length; i++)
                {
                    if (line[i] != '"') cell.Append(line[i]);
                    else if (i + 1 < line.Length && line[i + 1] == '"') cell.Append(line[++i]);
                    else { i++; break; }
                }
                // Anything between the closing quote and the comma is kept, as spreadsheets do.
                while (i < line.Length && line[i] != ',') cell.Append(line[i++]);
                cells.Add(cell.ToString().TrimEnd());
            }
            else
            {
                int comma = line.IndexOf(',', i);
                int end = comma < 0 ? line.Length : comma;
                cells.Add(line[i..end].Trim());
                i = end;
            }
            cell.Clear();
            if (i >= line.Length) return cells;
            i++; // past the comma
        }
    }
}
