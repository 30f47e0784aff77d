using BatchXai.Contracts;

namespace BatchXai.Coordinator.Datasets;

public enum DatasetLayout
{
    /// <summary><c>&lt;class&gt;/&lt;image&gt;</c>: the folder names the label.</summary>
    FolderPerClass,
    /// <summary>A label file (APTOS <c>train.csv</c>, EyePACS <c>trainLabels.csv</c>, generic <c>labels.csv</c>).</summary>
    CsvManifest,
    /// <summary>Images with no labels.</summary>
    Unlabelled,
}

/// <summary>An image the dataset names but that cannot be explained, known before any worker runs.</summary>
public sealed record DatasetProblem(string ImageKey, string Reason);

/// <summary>What enumeration found: the images to explain and the entries that already failed.</summary>
public sealed record DatasetListing(DatasetLayout Layout, string Description, IReadOnlyList<ImageRef> Images, IReadOnlyList<DatasetProblem> Problems)
{
    public int Expected => Images.Count + Problems.Count;
}
