namespace BatchXai.Core.Metrics;

/// <summary>One class's figures: support (true images), precision, recall, F1 and one-vs-rest AUC.</summary>
/// <remarks>Precision of a class never predicted, recall of a class never present and F1 of either are 0 (sklearn's zero_division=0); AUC is NaN when undefined.</remarks>
public sealed record ClassModelMetrics(int Class, long Support, long PredictedCount, double Precision, double Recall, double F1, double Auc);

/// <summary>
/// How well the model does on the labelled images of a run (issue 12, item 3): accuracy, per-class
/// precision / recall / F1, one-vs-rest AUC on the softmax probabilities, quadratic-weighted
/// Cohen's kappa and the confusion matrix. An explanation of a model that does not work on the
/// data must be read with these beside it.
/// </summary>
public sealed record ModelMetrics(int Images, double Accuracy, double QuadraticWeightedKappa, double MacroF1, double MacroAuc,
    IReadOnlyList<ClassModelMetrics> PerClass, ConfusionMatrix Confusion)
{
    /// <param name="labels">true class per image.</param>
    /// <param name="predicted">predicted class per image.</param>
    /// <param name="probabilities">per image, N class probabilities (for AUC).</param>
    public static ModelMetrics Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, IReadOnlyList<IReadOnlyList<float>> probabilities, int classes)
    {
        if (labels.Count != predicted.Count || labels.Count != probabilities.Count)
            throw new ArgumentException($"{labels.Count} labels, {predicted.Count} predictions and {probabilities.Count} probability rows must match");
        var confusion = ConfusionMatrix.Of(labels.Zip(predicted), classes);
        var perClass = new List<ClassModelMetrics>(classes);
        for (int c = 0; c < classes; c++)
        {
            long tp = confusion[c, c], support = confusion.RowSum(c), predictedCount = confusion.ColumnSum(c);
            double precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            double recall = support == 0 ? 0 : (double)tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            var scores = probabilities.Select(p => c < p.Count ? (double)p[c] : double.NaN).ToList();
            double auc = scores.Any(double.IsNaN) ? double.NaN : RocAuc.OneVsRest(scores, labels.Select(l => l == c).ToList());
            perClass.Add(new ClassModelMetrics(c, support, predictedCount, precision, recall, f1, auc));
        }
        // Macro means over the classes present in the labels (sklearn's labels= the observed ones).
        var present = perClass.Where(m => m.Support > 0).ToList();
        double macroF1 = present.Count == 0 ? double.NaN : present.Average(m => m.F1);
        var aucs = present.Select(m => m.Auc).Where(a => !double.IsNaN(a)).ToList();
        double macroAuc = aucs.Count == 0 ? double.NaN : aucs.Average();
        double accuracy = confusion.Total == 0 ? double.NaN : (double)confusion.Correct / confusion.Total;
        return new ModelMetrics(labels.Count, accuracy, Metrics.QuadraticWeightedKappa.Of(confusion), macroF1, macroAuc, perClass, confusion);
    }
}
