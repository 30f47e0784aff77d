namespace BatchXai.Coordinator.Datasets;

/// <summary>The label files BatchXai recognises at a dataset's root, and how to read them.</summary>
public sealed record LabelFileFormat(string FileName, string IdColumn, string LabelColumn, string? ImageFolder, string Description)
{
    public static readonly IReadOnlyList<LabelFileFormat> Known =
    [
        new("train.csv", "id_code", "diagnosis", "train_images", "APTOS 2019 (train.csv: id_code,diagnosis)"),
        new("trainLabels.csv", "image", "level", "train", "EyePACS (trainLabels.csv: image,level)"),
        new("labels.csv", "key", "label", null, "generic label file (labels.csv: key,label)"),
    ];

    /// <summary>Reads (line number, image id, label text) rows; a malformed header is an error naming the file and the columns it needs.</summary>
    public static IEnumerable<(int Line, string Id, string Label)> Parse(LabelFileFormat format, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var header = lines[0].TrimStart('\uFEFF').Split(',').Select(h => h.Trim().Trim('"')).ToList();
        int idCol = header.FindIndex(h => h.Equals(format.IdColumn, StringComparison.OrdinalIgnoreCase));
        int labelCol = header.FindIndex(h => h.Equals(format.LabelColumn, StringComparison.OrdinalIgnoreCase));
        if (idCol < 0 || labelCol < 0)
            throw new InvalidDataException($"{format.FileName}: header '{lines[0]}' lacks the columns '{format.IdColumn},{format.LabelColumn}'");
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var cells = lines[i].Split(',').Select(c => c.Trim().Trim('"')).ToArray();
            string id = idCol < cells.Length ? cells[idCol] : "";
            string label = labelCol < cells.Length ? cells[labelCol] : "";
            yield return (i + 1, id, label);
        }
    }
}
