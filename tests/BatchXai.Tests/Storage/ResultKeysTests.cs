using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Storage;

/// <summary>The results layout of docs/architecture.md ("Storage layout"): results/&lt;run&gt;/&lt;method&gt;/&lt;image-key&gt;.npy and classes/.</summary>
public sealed class ResultKeysTests
{
    private static readonly Guid Run = Guid.Parse("0b6f3c2e-1d4a-4c8e-9f00-123456789abc");

    [Theory]
    [InlineData("train/10_left.jpeg", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/train/10_left")]
    [InlineData("a.png", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/a")]
    [InlineData("no_extension", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/no_extension")]
    [InlineData("v1.2/scan", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/v1.2/scan")]
    [InlineData("a/b.tar.png", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/a/b.tar")]
    [InlineData("dir/.hidden", "0b6f3c2e-1d4a-4c8e-9f00-123456789abc/crm/dir/.hidden")]
    public void Image_outputs_sit_under_run_and_method_with_the_key_minus_its_extension(string imageKey, string stem)
    {
        Assert.Equal(stem, ResultKeys.ImageStem(Run, "crm", imageKey));
        Assert.Equal(stem + ".npy", ResultKeys.ImageMap(Run, "crm", imageKey));
        Assert.Equal(stem + ".png", ResultKeys.ImageOverlay(Run, "crm", imageKey));
        Assert.Equal(stem + ".feature.npy", ResultKeys.ImageFeatureMap(Run, "crm", imageKey));
    }

    [Fact]
    public void Class_outputs_sit_under_classes_with_index_and_a_file_safe_name()
    {
        Assert.Equal("0b6f3c2e-1d4a-4c8e-9f00-123456789abc/classes/ig/3_severe", ResultKeys.ClassStem(Run, "ig", 3, "severe"));
        Assert.Equal("0b6f3c2e-1d4a-4c8e-9f00-123456789abc/classes/ig/4_pro_liferative__DR_", ResultKeys.ClassStem(Run, "ig", 4, "pro/liferative (DR)"));
    }

    [Fact]
    public void Run_tables_sit_in_the_run_folder()
    {
        Assert.Equal("0b6f3c2e-1d4a-4c8e-9f00-123456789abc/results.csv", ResultKeys.ResultsCsv(Run));
        Assert.Equal("0b6f3c2e-1d4a-4c8e-9f00-123456789abc/failures.csv", ResultKeys.FailuresCsv(Run));
        Assert.Equal("0b6f3c2e-1d4a-4c8e-9f00-123456789abc/classes.csv", ResultKeys.ClassesCsv(Run));
    }
}
