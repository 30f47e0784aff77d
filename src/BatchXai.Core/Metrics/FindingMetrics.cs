namespace BatchXai.Core.Metrics;

/// <summary>
/// One finding's figures on a multi-label head: labelled positives, prevalence (positives / labelled images), ROC AUC of
/// the finding's sigmoid probability against its label, and sensitivity / specificity with the finding called present at
/// probability ≥ the run's threshold. NaN where undefined (AUC without positives or negatives, sensitivity without
/// positives, specificity without negatives).
/// </summary>
public sealed record FindingModelMetrics(int Finding, int Positives, double Prevalence, double Auc, double Sensitivity, double Specificity);

/// <summary>
/// How well a multi-label (one sigmoid per finding) model does on the labelled images of a run: each finding is a
/// classifier of its own, so there is no confusion matrix or accuracy over classes; instead the per-finding figures of
/// <see cref="FindingModelMetrics"/> and their macro means over the findings where each is defined.
/// </summary>
public sealed record FindingMetrics(int Images, double Threshold, double MacroAuc, double MacroSensitivity, double MacroSpecificity,
    IReadOnlyList<FindingModelMetrics> PerFinding)
{
    /// <param name="labelled">per image, the findings it is labelled with (empty: none).</param>
    /// <param name="probabilities">per image, the sigmoid probability of every finding.</param>
    /// <param name="threshold">a finding is predicted present at probability ≥ this (<c>--finding-threshold</c>).</param>
    public static FindingMetrics Compute(IReadOnlyList<IReadOnlyCollection<int>> labelled, IReadOnlyList<IReadOnlyList<float>> probabilities,
        int findings, double threshold)
    {
        if (labelled.Count != probabilities.Count)
            throw new ArgumentException($"{labelled.Count} label rows and {probabilities.Count} probability rows must match");
        int images = labelled.Count;
        var perFinding = new List<FindingModelMetrics>(findings);
        for (int f = 0; f < findings; f++)
        {
            var positive = labelled.Select(l => l.Contains(f)).ToList();
            var scores = probabilities.Select(p => f < p.Count ? (double)p[f] : double.NaN).ToList();
            int positives = positive.Count(p => p), negatives = images - positives;
            int truePositives = 0, trueNegatives = 0;
            for (int i = 0; i < images; i++)
            {
                bool called = scores[i] >= threshold;
                if (positive[i] && called) truePositives++;
                if (!positive[i] && !called) trueNegatives++;
            }
            double auc = scores.Any(double.IsNaN) ? double.NaN : RocAuc.OneVsRest(scores, positive);
            perFinding.Add(new FindingModelMetrics(f, positives, images == 0 ? double.NaN : (double)positives / images, auc,
                positives == 0 ? double.NaN : (double)truePositives / positives, negatives == 0 ? double.NaN : (double)trueNegatives / negatives));
        }
        return new FindingMetrics(images, threshold, MeanDefined(perFinding.Select(m => m.Auc)), MeanDefined(perFinding.Select(m => m.Sensitivity)),
            MeanDefined(perFinding.Select(m => m.Specificity)), perFinding);
    }

    private static double MeanDefined(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}
