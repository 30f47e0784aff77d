using BatchXai.Core.Audit;
using BatchXai.Onnx.Manifest;

namespace BatchXai.Tests.Manifest;

/// <summary>input.fieldOfView: what the audit counts as anatomy; its default follows the fundus crop.</summary>
public sealed class FieldOfViewManifestTests : IDisposable
{
    private readonly ManifestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private FieldOfViewMode Load(bool? fundusCrop, string? fieldOfView)
    {
        var json = ManifestFiles.Valid();
        var input = json["input"]!.AsObject();
        input.Remove("fundusCrop");
        if (fundusCrop is bool crop) input["fundusCrop"] = crop;
        if (fieldOfView is not null) input["fieldOfView"] = fieldOfView;
        return ModelManifest.Load(_files.Write(json)).Input.FieldOfView;
    }

    [Theory]
    [InlineData(true, null, FieldOfViewMode.FundusDisc)]
    [InlineData(false, null, FieldOfViewMode.Frame)]
    [InlineData(null, null, FieldOfViewMode.Frame)]
    [InlineData(false, "fundus-disc", FieldOfViewMode.FundusDisc)]
    [InlineData(true, "foreground", FieldOfViewMode.Foreground)]
    [InlineData(true, "Frame", FieldOfViewMode.Frame)]
    public void The_default_follows_the_fundus_crop_and_an_explicit_value_wins(bool? fundusCrop, string? fieldOfView, FieldOfViewMode expected) =>
        Assert.Equal(expected, Load(fundusCrop, fieldOfView));

    [Fact]
    public void An_unknown_value_is_an_error_naming_the_field_and_the_choices()
    {
        var e = Assert.Throws<ManifestException>(() => Load(true, "disc"));

        Assert.Equal("input.fieldOfView", e.Field);
        Assert.Contains("is 'disc' but must be one of: fundus-disc, foreground, frame", e.Message);
    }
}
