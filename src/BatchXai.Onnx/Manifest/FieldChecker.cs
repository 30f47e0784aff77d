namespace BatchXai.Onnx.Manifest;

/// <summary>
/// Checks the deserialised manifest field by field, applies defaults and throws a
/// <see cref="ManifestException"/> naming the first field at fault.
/// </summary>
internal sealed class FieldChecker(string manifestPath)
{
    private const double DefaultScale = 1.0 / 255.0;

    public ModelManifest Build(ManifestDto dto)
    {
        var onnx = RequiredText(dto.Onnx, "onnx");
        var manifestFolder = Path.GetDirectoryName(Path.GetFullPath(manifestPath)) ?? ".";
        return new ModelManifest
        {
            ManifestPath = manifestPath,
            Name = RequiredText(dto.Name, "name"),
            Version = dto.Version ?? "1",
            Onnx = onnx,
            OnnxPath = Path.GetFullPath(Path.Combine(manifestFolder, onnx)),
            Input = BuildInput(dto.Input ?? throw Fail("input", "is required")),
            Outputs = BuildOutputs(dto.Outputs ?? throw Fail("outputs", "is required")),
            TargetLayer = RequiredText(dto.TargetLayer, "targetLayer"),
            TargetLayerLayout = EnumValue(dto.TargetLayerLayout, "targetLayerLayout", ManifestNames.Layouts, TensorLayout.Nchw),
            Head = EnumValue(dto.Head, "head", ManifestNames.Heads, HeadKind.Generic),
            Classes = BuildClasses(dto.Classes),
        };
    }

    private ManifestOutputs BuildOutputs(OutputsDto outputs)
    {
        var activation = EnumValue(outputs.Activation, "outputs.activation", ManifestNames.Activations, OutputActivation.None);
        // One sigmoid per finding scores each finding on its own: such a head is multi-label whatever else is said.
        if (outputs.MultiLabel == false && activation == OutputActivation.Sigmoid)
            throw Fail("outputs.multiLabel", "is false, but outputs.activation 'sigmoid' scores each finding on its own (a multi-label head); leave multiLabel out or set it true");
        if (outputs.MultiLabel == true && activation == OutputActivation.Softmax)
            throw Fail("outputs.multiLabel", "is true, but outputs.activation 'softmax' makes the classes exclusive; a multi-label head ends in one sigmoid per finding");
        return new(
            RequiredText(outputs.Logits, "outputs.logits"),
            outputs.ClassMaps is null ? null : RequiredText(outputs.ClassMaps, "outputs.classMaps"),
            activation,
            MultiLabel: outputs.MultiLabel ?? activation == OutputActivation.Sigmoid);
    }

    private ManifestInput BuildInput(InputDto input)
    {
        var channels = EnumValue(input.Channels, "input.channels", ManifestNames.Channels, ChannelOrder.Rgb);
        var channelCount = ManifestNames.ChannelCount(channels);
        var (height, width) = Size(input.Size);
        var scale = input.Scale ?? DefaultScale;
        if (!(scale > 0) || !double.IsFinite(scale))
            throw Fail("input.scale", $"is {scale} but must be a positive number");

        var mean = PerChannel(input.Mean, "input.mean", channels, 0.0);
        var std = PerChannel(input.Std, "input.std", channels, 1.0);
        for (var c = 0; c < channelCount; c++)
            if (!(std[c] > 0))
                throw Fail("input.std", $"has {std[c]} at index {c} but every std must be > 0");

        var fundusCrop = input.FundusCrop ?? false;
        return new ManifestInput(
            Name: RequiredText(input.Name, "input.name"),
            Layout: EnumValue(input.Layout, "input.layout", ManifestNames.Layouts, TensorLayout.Nchw),
            Height: height,
            Width: width,
            Channels: channels,
            Scale: (float)scale,
            Mean: mean,
            Std: std,
            Resize: EnumValue(input.Resize, "input.resize", ManifestNames.Resizes, ResizeMode.Stretch),
            FundusCrop: fundusCrop,
            // A fundus crop says the images are fundus photos; without one nothing says where anatomy ends.
            FieldOfView: EnumValue(input.FieldOfView, "input.fieldOfView", ManifestNames.FieldsOfView,
                fundusCrop ? FieldOfViewMode.FundusDisc : FieldOfViewMode.Frame),
            Window: input.Window is null ? null : Window(input.Window));
    }

    private ManifestWindow Window(WindowDto window)
    {
        if (window.Center is not { } center || !double.IsFinite(center))
            throw Fail("input.window.center", $"is {(object?)window.Center ?? "missing"} but must be a finite number (e.g. -600 for lung CT)");
        if (window.Width is not { } width || !(width >= 1) || !double.IsFinite(width))
            throw Fail("input.window.width", $"is {(object?)window.Width ?? "missing"} but must be a finite number >= 1 (e.g. 1500 for lung CT)");
        return new ManifestWindow(center, width);
    }

    private (int Height, int Width) Size(int[]? size)
    {
        if (size is null)
            throw Fail("input.size", "is required: [height, width] in pixels");
        if (size.Length != 2)
            throw Fail("input.size", $"has {size.Length} value(s) but needs 2: [height, width]");
        if (size[0] <= 0 || size[1] <= 0)
            throw Fail("input.size", $"is [{size[0]}, {size[1]}] but both values must be positive");
        return (size[0], size[1]);
    }

    private float[] PerChannel(double[]? values, string field, ChannelOrder channels, double fallback)
    {
        var count = ManifestNames.ChannelCount(channels);
        if (values is null)
            return Enumerable.Repeat((float)fallback, count).ToArray();
        if (values.Length != count)
            throw Fail(field, $"has {values.Length} value(s) but input.channels {ManifestNames.Of(ManifestNames.Channels, channels)} needs {count}");
        return values.Select(v => (float)v).ToArray();
    }

    private IReadOnlyList<string> BuildClasses(string[]? classes)
    {
        if (classes is null || classes.Length == 0)
            throw Fail("classes", "is required: the class names in logit order");
        var blank = Array.FindIndex(classes, string.IsNullOrWhiteSpace);
        if (blank >= 0)
            throw Fail("classes", $"has an empty name at index {blank}");
        var duplicate = classes.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Fail("classes", $"lists '{duplicate.Key}' more than once");
        return classes;
    }

    private T EnumValue<T>(string? text, string field, IReadOnlyDictionary<string, T> allowed, T fallback) where T : struct, Enum
    {
        if (text is null)
            return fallback;
        foreach (var (name, value) in allowed)
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return value;
        throw Fail(field, $"is '{text}' but must be one of: {string.Join(", ", allowed.Keys)}");
    }

    private string RequiredText(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? throw Fail(field, "is required") : text;

    private ManifestException Fail(string field, string message) => new(manifestPath, field, message);
}
