namespace BatchXai.Onnx.Manifest;

/// <summary>Order of the model input's dimensions: NCHW (PyTorch) or NHWC (Keras/TF).</summary>
public enum TensorLayout { Nchw, Nhwc }

/// <summary>Colour order the model expects in its channel dimension.</summary>
public enum ChannelOrder { Rgb, Bgr, Gray }

/// <summary>How an image is brought to the input size: stretched, or fitted and padded (letterbox).</summary>
public enum ResizeMode { Stretch, Letterbox }

/// <summary>The activation that turns the model's scores into the output the manifest names (outputs.activation).</summary>
public enum OutputActivation { None, Softmax, Sigmoid }

/// <summary>The spellings the manifest uses for each enum value.</summary>
internal static class ManifestNames
{
    public static readonly IReadOnlyDictionary<string, TensorLayout> Layouts =
        new Dictionary<string, TensorLayout> { ["NCHW"] = TensorLayout.Nchw, ["NHWC"] = TensorLayout.Nhwc };

    public static readonly IReadOnlyDictionary<string, ChannelOrder> Channels =
        new Dictionary<string, ChannelOrder> { ["RGB"] = ChannelOrder.Rgb, ["BGR"] = ChannelOrder.Bgr, ["GRAY"] = ChannelOrder.Gray };

    public static readonly IReadOnlyDictionary<string, ResizeMode> Resizes =
        new Dictionary<string, ResizeMode> { ["stretch"] = ResizeMode.Stretch, ["letterbox"] = ResizeMode.Letterbox };

    public static readonly IReadOnlyDictionary<string, FieldOfViewMode> FieldsOfView = new Dictionary<string, FieldOfViewMode>
    {
        ["fundus-disc"] = FieldOfViewMode.FundusDisc, ["foreground"] = FieldOfViewMode.Foreground, ["frame"] = FieldOfViewMode.Frame,
    };

    public static readonly IReadOnlyDictionary<string, HeadKind> Heads =
        new Dictionary<string, HeadKind> { ["gap-linear"] = HeadKind.GapLinear, ["generic"] = HeadKind.Generic };

    public static readonly IReadOnlyDictionary<string, OutputActivation> Activations =
        new Dictionary<string, OutputActivation> { ["softmax"] = OutputActivation.Softmax, ["sigmoid"] = OutputActivation.Sigmoid };

    public static string Of<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(kv => kv.Value.Equals(value)).Key;

    public static int ChannelCount(ChannelOrder order) => order == ChannelOrder.Gray ? 1 : 3;
}
