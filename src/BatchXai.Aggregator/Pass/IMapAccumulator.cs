using BatchXai.Core.Maps;
using BatchXai.Storage.Database;
using BatchXai.Storage.Objects;

namespace BatchXai.Aggregator.Pass;

/// <summary>Which stored files of an image an accumulator needs for a method.</summary>
[Flags]
public enum MapNeeds
{
    None = 0,
    /// <summary>The input-size map (&lt;stem&gt;.npy).</summary>
    Map = 1,
    /// <summary>CLEAR's dominant-class map (&lt;stem&gt;.dominant_class.npy), besides the map.</summary>
    DominantClass = 2,
}

/// <summary>One image's stored files as the aggregation pass hands them on: read once, given to every accumulator that asked.</summary>
/// <param name="ClassIndex">The class whose views the image enters under the run's class selection.</param>
/// <param name="DominantClass">CLEAR's dominant class per pixel; null unless an accumulator asked for it.</param>
public sealed record StoredImageMap(string Method, int ClassIndex, ImageResultRow Row, ExplanationMap Map, int[]? DominantClass);

/// <summary>
/// One consumer of a run's aggregation pass (<see cref="RunMapPass"/>): says which maps it needs,
/// measures each image as it is read, adds the measure to what it builds, and writes that when every
/// image has been seen. <see cref="Measure"/> is the per-image work (normalising, per-pixel sums):
/// it runs on the pass's read tasks, several images at once, so it must not touch the accumulator's
/// state. <see cref="Add"/> is called from one thread at a time, in the order of the stored results
/// (method by method, image keys ascending), so an accumulator needs no locking and its output is
/// the same however many reads were in flight. Implement it through <see cref="MapAccumulator{TMeasure}"/>.
/// </summary>
public interface IMapAccumulator
{
    MapNeeds NeedsFor(string method);

    /// <summary>The image's measure for <see cref="Add"/>; called concurrently for different images.</summary>
    object? Measure(StoredImageMap image);

    void Add(StoredImageMap image, object? measure);

    /// <summary>Writes rows and files. Accumulators finish in the order the pass was given them (the audit reads the class views' rows).</summary>
    Task FinishAsync(IObjectStore output, CancellationToken ct);
}

/// <summary>An <see cref="IMapAccumulator"/> whose per-image measure has a type.</summary>
public abstract class MapAccumulator<TMeasure> : IMapAccumulator
{
    public abstract MapNeeds NeedsFor(string method);

    /// <summary>Runs on the pass's read tasks, several images at once: reads nothing the accumulator changes in <see cref="Add"/>.</summary>
    protected abstract TMeasure Measure(StoredImageMap image);

    /// <summary>Runs on one thread at a time, in result order.</summary>
    protected abstract void Add(StoredImageMap image, TMeasure measure);

    public abstract Task FinishAsync(IObjectStore output, CancellationToken ct);

    object? IMapAccumulator.Measure(StoredImageMap image) => Measure(image);

    void IMapAccumulator.Add(StoredImageMap image, object? measure) => Add(image, (TMeasure)measure!);
}
