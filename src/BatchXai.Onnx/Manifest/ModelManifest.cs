namespace BatchXai.Onnx.Manifest;

/// <summary>
/// The JSON file beside a model that says how to feed it and read it: input preprocessing,
/// the logits output, the target layer for feature-map methods, the head kind and the class
/// names. Load with <see cref="Load"/>; check against the model with <see cref="ManifestValidator"/>.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>Path of the manifest file the values came from (used in every error message).</summary>
    public required string ManifestPath { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>The "onnx" field as written (relative to the manifest's folder unless rooted).</summary>
    public required string Onnx { get; init; }

    /// <summary>Full path of the ONNX file.</summary>
    public required string OnnxPath { get; init; }

    public required ManifestInput Input { get; init; }

    public required ManifestOutputs Outputs { get; init; }

    /// <summary>Tensor whose feature maps CAM, Grad-CAM, CRM and CLEAR work on.</summary>
    public required string TargetLayer { get; init; }

    /// <summary>
    /// Axis order of the target layer: NCHW (default) or NHWC (Keras/tf2onnx exports keep channels
    /// last). BatchXai transposes an NHWC target layer to NCHW in its graph edits, so every method
    /// sees [batch, K, U, V].
    /// </summary>
    public TensorLayout TargetLayerLayout { get; init; } = TensorLayout.Nchw;

    public required HeadKind Head { get; init; }

    /// <summary>Class names, in the order of the logits.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Reads, parses and checks a manifest file; the ONNX file it names must exist.</summary>
    /// <exception cref="ManifestException">Names the file and the field at fault.</exception>
    public static ModelManifest Load(string manifestPath)
    {
        string json;
        try
        {
            json = File.ReadAllText(manifestPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ManifestException(manifestPath, null, "manifest file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(manifestPath, null, $"cannot read the manifest: {e.Message}", e);
        }

        var manifest = Parse(json, manifestPath);
        if (!File.Exists(manifest.OnnxPath))
            throw new ManifestException(manifestPath, "onnx", $"names '{manifest.Onnx}' but {manifest.OnnxPath} does not exist");
        return manifest;
    }

    /// <summary>
    /// Parses manifest JSON; <paramref name="manifestPath"/> is used for messages and to resolve
    /// the ONNX path. Does not touch the file system.
    /// </summary>
    public static ModelManifest Parse(string json, string manifestPath) => ManifestReader.Parse(json, manifestPath);
}

/// <summary>How to turn an image into the model's input tensor.</summary>
/// <param name="Height">First value of the manifest's "size": [height, width].</param>
/// <param name="Width">Second value of the manifest's "size".</param>
/// <param name="Scale">Multiplies 8-bit pixel values before mean/std: x = (pixel·scale − mean) / std.</param>
/// <param name="FundusCrop">Crop the black surround of a fundus photograph before resizing.</param>
/// <param name="FieldOfView">What the audit counts as anatomy in a prepared image: "fundus-disc" (a disc fitted to the
/// illuminated region), "foreground" (the non-background region) or "frame"; default fundus-disc with the fundus crop, else frame.</param>
/// <param name="Window">"window": {"center": -600, "width": 1500}: how DICOM grayscale and 16-bit gray PNG images are shown to
/// the model (over modality values: Hounsfield units for CT); a run's --window overrides it.</param>
public sealed record ManifestInput(
    string Name,
    TensorLayout Layout,
    int Height,
    int Width,
    ChannelOrder Channels,
    float Scale,
    IReadOnlyList<float> Mean,
    IReadOnlyList<float> Std,
    ResizeMode Resize,
    bool FundusCrop,
    FieldOfViewMode FieldOfView,
    ManifestWindow? Window = null)
{
    /// <summary>3 for RGB/BGR, 1 for GRAY.</summary>
    public int ChannelCount => ManifestNames.ChannelCount(Channels);
}

/// <param name="Logits">Tensor holding the pre-softmax scores, one per class. With <paramref name="Activation"/> the manifest
/// names the activation's output here, and <c>ModelInspector</c> replaces it with the activation's input (recording
/// the named output in <paramref name="Probabilities"/>).</param>
/// <param name="ClassMaps">Optional: the [batch, N, u, v] output of a fully convolutional net's last
/// layer of N class kernels (CLEAR-DR Fig. 3), where CLEAR seeds its back-projection. Without it,
/// CLEAR on a gap-linear head seeds at Σ_k w_k^d A_k computed from the target layer.</param>
/// <param name="Activation">How the scores become probabilities: softmax (default) or sigmoid (one per finding); set in
/// the manifest when outputs.logits names the probability output rather than the scores.</param>
/// <param name="Probabilities">The probability output the manifest named, once the scores were found before it.</param>
/// <param name="MultiLabel">One sigmoid per finding (outputs.multiLabel; default: true exactly when outputs.activation is sigmoid):
/// probabilities by sigmoid, one map per (image, finding), class views per finding over its positive images.</param>
public sealed record ManifestOutputs(string Logits, string? ClassMaps = null, OutputActivation Activation = OutputActivation.None,
    string? Probabilities = null, bool MultiLabel = false);

/// <summary>A display window over modality values (PS3.3 C.11.2.1.2): center and width, width ≥ 1.</summary>
public sealed record ManifestWindow(double Center, double Width);
