using System.Collections.Concurrent;
using BatchXai.Core.Audit;
using BatchXai.Storage.Database;

namespace BatchXai.Aggregator.Audit;

/// <summary>
/// The fields of view the workers stored for a run's images, as the audit uses them: an image
/// without a stored one (a run made before detection, or an image too dark to find one in) or with
/// one of another size than its map gets the disc inscribed in the map's frame, the audit's former
/// estimate, and its findings say so. Each image's field of view is built once, for all methods.
/// </summary>
public sealed class StoredFieldsOfView(IReadOnlyDictionary<string, ImageFieldOfViewRow> rows)
{
    // Concurrent: the aggregation pass asks from its read tasks, several images at once.
    private readonly ConcurrentDictionary<string, FieldOfView> _built = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Height, int Width), FieldOfView> _inscribed = [];

    public static async Task<StoredFieldsOfView> LoadAsync(ResultStore results, Guid runId, CancellationToken ct) =>
        new(await results.FieldsOfViewAsync(runId, ct));

    public FieldOfView For(string imageKey, int height, int width)
    {
        var fov = rows.TryGetValue(imageKey, out var row) ? _built.GetOrAdd(imageKey, _ => FromRow(row)) : null;
        if (fov is not null && fov.Height == height && fov.Width == width) return fov;
        return _inscribed.GetOrAdd((height, width), size => FieldOfView.InscribedIn(size.Height, size.Width));
    }

    public static FieldOfView FromRow(ImageFieldOfViewRow row) => FieldOfView.KindNamed(row.Kind) switch
    {
        FieldOfViewKind.DetectedDisc => FieldOfView.Disc(row.Height, row.Width, row.CenterX, row.CenterY, row.Radius),
        FieldOfViewKind.DetectedForeground => FieldOfView.FromPackedMask(row.Height, row.Width,
            row.Mask ?? throw new InvalidDataException($"stored field of view of {row.ImageKey} is a foreground mask without mask bytes")),
        FieldOfViewKind.Frame => FieldOfView.WholeFrame(row.Height, row.Width),
        var other => throw new InvalidDataException($"stored field of view of {row.ImageKey} has kind {FieldOfView.NameOf(other)}, which workers do not store"),
    };
}
