using BatchXai.Aggregator;
using BatchXai.Contracts;
using BatchXai.Storage.Database;
using BatchXai.Tests.Datasets;
using BatchXai.Worker;

namespace BatchXai.Tests.MultiLabel;

/// <summary>The pieces of multi-label runs on their own: labels.csv findings, --target parsing, which pairs are explained, class-view membership.</summary>
public sealed class MultiLabelPartsTests
{
    private static readonly string[] Findings = ["Atelectasis", "Effusion", "Nodule", "Pneumothorax"];

    [Fact]
    public async Task A_labels_csv_with_a_findings_column_gives_each_image_its_findings_and_names_an_unknown_one()
    {
        using var ds = new DatasetFolder()
            .Text("labels.csv", "key,findings\na.png,Effusion;nodule\nb.png,No Finding\nc.png,\nd.png,3|0\ne.png,Effusion;Cardiomegaly\n")
            .Images("a.png", "b.png", "c.png", "d.png", "e.png");

        var listing = await ds.EnumerateAsync(Findings);

        Assert.Contains("multi-label", listing.Description);
        var byKey = listing.Images.ToDictionary(i => i.Key);
        Assert.Equal([1, 2], byKey["a.png"].Findings);
        Assert.Equal([], byKey["b.png"].Findings);
        Assert.Equal([], byKey["c.png"].Findings);
        Assert.Equal([0, 3], byKey["d.png"].Findings);
        Assert.All(listing.Images, i => Assert.Null(i.Label));
        var problem = Assert.Single(listing.Problems);
        Assert.Equal("e.png", problem.ImageKey);
        Assert.Contains("finding 'Cardiomegaly'", problem.Reason);
        Assert.Contains("line 6", problem.Reason);
    }

    [Theory]
    [InlineData("predicted", TargetMode.Predicted, null, "predicted")]
    [InlineData("", TargetMode.Predicted, null, "predicted")]
    [InlineData("LABEL", TargetMode.Label, null, "label")]
    [InlineData("Effusion", TargetMode.Finding, "Effusion", "finding:Effusion")]
    [InlineData("finding:label", TargetMode.Finding, "label", "finding:label")]
    public void Targets_parse_and_store_as_written(string text, TargetMode mode, string? finding, string stored)
    {
        var target = TargetChoice.Parse(text);
        Assert.Equal((mode, finding, stored), (target.Mode, target.Finding, target.ToString()));
        Assert.Equal(target, TargetChoice.Parse(target.ToString()));
    }

    [Fact]
    public void A_named_target_resolves_to_its_class_index_or_names_the_models_classes()
    {
        Assert.Equal(2, TargetChoice.Parse("NODULE").Resolve(Findings));
        Assert.Null(TargetChoice.Parse("label").Resolve(Findings));
        var e = Assert.Throws<ArgumentException>(() => TargetChoice.Parse("Mass").Resolve(Findings));
        Assert.Contains("'Mass'", e.Message);
        Assert.Contains("Pneumothorax", e.Message);
    }

    [Fact]
    public void Pairs_follow_the_target_the_threshold_and_the_labels()
    {
        ImageRef[] images = [new("a", null, Findings: [3]), new("b", null, Findings: []), new("c", null)];
        float[] p = [0.9f, 0.2f, 0.6f, 0.1f, /* b: none present */ 0.3f, 0.4f, 0.1f, 0.2f, /* c */ 0.5f, 0.7f, 0.1f, 0.1f];
        int[] top = [0, 1, 1];
        RunSettings Settings(TargetMode mode, int? finding = null) => new("d", "m", "r", ["cam"], mode, TargetFinding: finding);
        (int, int)[] Pairs(ExplanationTargets t) => [.. t.Images.Zip(t.Classes)];

        Assert.Equal([(0, 0), (0, 2), (1, 1), (2, 0), (2, 1)], Pairs(ExplanationTargets.For(Settings(TargetMode.Predicted), images, p, top, 4, true, 0.5)));
        Assert.Equal([(0, 0), (1, 1), (2, 1)], Pairs(ExplanationTargets.For(Settings(TargetMode.Predicted), images, p, top, 4, true, 0.65)));
        // Labelled findings; labelled with none (b) and without labels (c): as predicted.
        Assert.Equal([(0, 3), (1, 1), (2, 0), (2, 1)], Pairs(ExplanationTargets.For(Settings(TargetMode.Label), images, p, top, 4, true, 0.5)));
        Assert.Equal([(0, 2), (1, 2), (2, 2)], Pairs(ExplanationTargets.For(Settings(TargetMode.Finding, 2), images, p, top, 4, true, 0.5)));
        // A single-label head: one pair per image, the top class.
        var single = ExplanationTargets.For(Settings(TargetMode.Predicted), images, p, top, 4, false, 0.5);
        Assert.True(single.OnePerImage(3));
        Assert.Equal(top, single.Classes);
    }

    [Theory]
    [InlineData(ClassSelection.Correct, new[] { 2 })]
    [InlineData(ClassSelection.Label, new[] { 1, 2 })]
    [InlineData(ClassSelection.Predicted, new[] { 0, 2 })]
    public void A_finding_row_enters_its_findings_views_when_the_image_is_positive_for_it(ClassSelection selection, int[] entering)
    {
        // Labelled {1, 2}, present {0, 2}: one row per finding the image was explained for.
        foreach (int finding in new[] { 0, 1, 2, 3 })
        {
            var row = new ImageResultRow { TargetClass = finding, Predicted = 0, LabelFindingsJson = "[1,2]", PredictedFindingsJson = "[0,2]" };
            Assert.Equal(entering.Contains(finding) ? finding : null, ClassSelections.ClassOf(selection, row));
        }
        // Unlabelled image: only the predicted selection takes it.
        var unlabelled = new ImageResultRow { TargetClass = 0, PredictedFindingsJson = "[0]" };
        Assert.Equal(selection == ClassSelection.Predicted ? 0 : null, ClassSelections.ClassOf(selection, unlabelled));
    }
}
