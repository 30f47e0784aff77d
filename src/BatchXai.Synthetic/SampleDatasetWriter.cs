using System.Globalization;
using System.Text;
using BatchXai.Imaging;

namespace BatchXai.Synthetic;

/// <summary>What <see cref="SampleDatasetWriter.Write"/> produced.</summary>
/// <param name="GradeCounts">Images per grade 0..4.</param>
/// <param name="TagMatchesGrade">Clever Hans datasets: images whose tag shows the true grade; null otherwise.</param>
public sealed record SampleDatasetSummary(string OutDir, int Count, int Seed, IReadOnlyList<int> GradeCounts, int? TagMatchesGrade);

/// <summary>
/// Writes a synthetic dataset in the APTOS 2019 layout, plus ground truth:
/// <code>
/// train.csv                 id_code,diagnosis
/// train_images/&lt;id&gt;.png    the photos
/// masks/&lt;id&gt;.png           8-bit gray lesion masks (values = LesionType)
/// lesions.csv               per-image lesion counts, the tag text/box for Clever Hans data, and whether the
///                           planted ring and colour cast are on the image (1/0)
/// </code>
/// Rows are in index order whatever order the parallel workers finish in.
/// </summary>
public static class SampleDatasetWriter
{
    public const string LabelsFile = "train.csv";
    public const string ImagesFolder = "train_images";
    public const string MasksFolder = "masks";
    public const string LesionsFile = "lesions.csv";
    public const string LabelsHeader = "id_code,diagnosis";
    public const string LesionsHeader =
        "id_code,diagnosis,microaneurysms,haemorrhages,hard_exudates,cotton_wool_spots,neovascularisations," +
        "tag_text,tag_shown_grade,tag_x,tag_y,tag_width,tag_height,ring,colour_cast";

    public static SampleDatasetSummary Write(string outDir, int count, int seed, SampleDataOptions opts,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var synthesizer = new FundusSynthesizer(opts);
        Directory.CreateDirectory(Path.Combine(outDir, ImagesFolder));
        Directory.CreateDirectory(Path.Combine(outDir, MasksFolder));

        var rows = new SyntheticRow[count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = opts.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, count, parallel, i =>
        {
            var sample = synthesizer.Generate(seed, i);
            File.WriteAllBytes(Path.Combine(outDir, ImagesFolder, sample.Id + ".png"), PngEncoder.Encode(sample.Image));
            File.WriteAllBytes(Path.Combine(outDir, MasksFolder, sample.Id + ".png"), PngEncoder.EncodeGray(sample.Mask, sample.Size, sample.Size));
            rows[i] = new SyntheticRow(sample.Id, sample.Grade, sample.Lesions, sample.Tag, sample.Ring is not null, sample.ColourCast);
            progress?.Report(Interlocked.Increment(ref done));
        });

        File.WriteAllText(Path.Combine(outDir, LabelsFile), LabelsCsv(rows));
        File.WriteAllText(Path.Combine(outDir, LesionsFile), LesionsCsv(rows));

        var gradeCounts = new int[DrGrades.Count];
        foreach (var r in rows) gradeCounts[r.Grade]++;
        int? tagMatches = opts.CleverHans ? rows.Count(r => r.Tag!.ShownGrade == r.Grade) : null;
        return new SampleDatasetSummary(Path.GetFullPath(outDir), count, seed, gradeCounts, tagMatches);
    }

    private sealed record SyntheticRow(string Id, int Grade, LesionCounts Lesions, ShortcutTag? Tag, bool Ring, bool Cast);

    private static string LabelsCsv(IEnumerable<SyntheticRow> rows)
    {
        var sb = new StringBuilder(LabelsHeader).Append('\n');
        foreach (var r in rows) sb.Append(r.Id).Append(',').Append(r.Grade).Append('\n');
        return sb.ToString();
    }

    private static string LesionsCsv(IEnumerable<SyntheticRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(LesionsHeader).Append('\n');
        foreach (var r in rows)
        {
            var l = r.Lesions;
            sb.Append(inv, $"{r.Id},{r.Grade},{l.Microaneurysms},{l.Haemorrhages},{l.HardExudates},{l.CottonWoolSpots},{l.Neovascularisations},");
            if (r.Tag is { } t)
                sb.Append(inv, $"{t.Text},{t.ShownGrade},{t.Box.X},{t.Box.Y},{t.Box.Width},{t.Box.Height}");
            else
                sb.Append(",,,,,");
            sb.Append(r.Ring ? ",1" : ",0").Append(r.Cast ? ",1" : ",0");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
