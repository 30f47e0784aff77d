namespace BatchXai.Core.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs over N classes: row = true label, column =
/// prediction, as sklearn's <c>confusion_matrix</c>. The ingredient of every model metric.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"a confusion matrix needs at least one class, got {classes}");
        Classes = classes;
        _counts = new long[classes * classes];
    }

    public int Classes { get; }

    public long Total { get; private set; }

    public long this[int actual, int predicted] => _counts[actual * Classes + predicted];

    public static ConfusionMatrix Of(IEnumerable<(int Actual, int Predicted)> pairs, int classes)
    {
        var matrix = new ConfusionMatrix(classes);
        foreach (var (actual, predicted) in pairs) matrix.Add(actual, predicted);
        return matrix;
    }

    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(actual), $"class pair ({actual}, {predicted}) is outside 0..{Classes - 1}");
        _counts[actual * Classes + predicted]++;
        Total++;
    }

    /// <summary>Images whose true class is <paramref name="actual"/> (a class's support).</summary>
    public long RowSum(int actual)
    {
        long sum = 0;
        for (int j = 0; j < Classes; j++) sum += this[actual, j];
        return sum;
    }

    /// <summary>Images predicted as <paramref name="predicted"/>.</summary>
    public long ColumnSum(int predicted)
    {
        long sum = 0;
        for (int i = 0; i < Classes; i++) sum += this[i, predicted];
        return sum;
    }

    public long Correct
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < Classes; i++) sum += this[i, i];
            return sum;
        }
    }
}
