using System.Collections.Concurrent;
using BatchXai.Core;
using BatchXai.Core.Gradients;
using BatchXai.Core.Heads;
using BatchXai.Core.Methods;
using BatchXai.Imaging;
using BatchXai.Onnx.Manifest;
using BatchXai.Onnx.Model;

namespace BatchXai.Worker;

/// <summary>A model as a worker holds it: the network, the loader that prepares its inputs, and its methods.</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<IExplanationMethod>> _methods = new();

    public LoadedModel(ExplainableModel network, WorkerOptions options)
    {
        Network = network;
        Loader = new ImageLoader(new ImagePreprocessor(PreprocessSpecOf(network.Manifest)), network.SampleSize, options.DecodeParallelism,
            network.Manifest.Input.FieldOfView, options.ReadParallelism);
    }

    public ExplainableModel Network { get; }
    public ImageLoader Loader { get; }
    public ModelHead Head => Network.Head;

    /// <summary>The input layout gradient methods need, and black and white pixels after normalisation (IG's default baseline, the input range).</summary>
    public InputGeometry Geometry => GeometryOf(Network.Manifest);

    /// <summary>The run's methods with its options, resolved and checked against this model once per distinct choice (no side effects).</summary>
    public IReadOnlyList<IExplanationMethod> Methods(IReadOnlyList<string> names, IReadOnlyDictionary<string, string>? options)
    {
        var key = string.Join(",", names) + "|" + string.Join(",", (options ?? new Dictionary<string, string>()).OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"));
        return _methods.GetOrAdd(key, _ => MethodRegistry.ResolveFor(Network.Inspected.HeadKind, Network.Manifest.Name, names, new MethodOptions(options)));
    }

    /// <summary>
    /// Builds what the methods need beyond the forward pass: the backward graphs of their gradient
    /// rules and the class-response projector. An explicit step, done before any image is touched,
    /// so an op the model cannot differentiate is one clear error; repeating it costs nothing.
    /// </summary>
    public void Prepare(IReadOnlyList<IExplanationMethod> methods)
    {
        foreach (var rule in methods.SelectMany(m => m.GradientRules).Distinct()) Network.Gradients.Prepare(rule);
        if (methods.Any(m => m.NeedsClassResponses))
            (Network.ClassResponses ?? throw new ModelLoadException($"model {Network.Manifest.Name}: {string.Join(", ", methods.Where(m => m.NeedsClassResponses).Select(m => m.Name))} needs class responses, which this model does not provide")).Prepare();
    }

    public static InputGeometry GeometryOf(ModelManifest manifest)
    {
        var input = manifest.Input;
        float[] Pixel(float value) => Enumerable.Range(0, input.ChannelCount).Select(c => (value * input.Scale - input.Mean[c]) / input.Std[c]).ToArray();
        return new InputGeometry(input.ChannelCount, input.Height, input.Width, input.Layout == Onnx.Manifest.TensorLayout.Nhwc, Pixel(0f), Pixel(255f));
    }

    /// <summary>The manifest's input section in the image pipeline's terms.</summary>
    public static PreprocessSpec PreprocessSpecOf(ModelManifest manifest)
    {
        var input = manifest.Input;
        return new PreprocessSpec
        {
            Height = input.Height,
            Width = input.Width,
            Layout = input.Layout == Onnx.Manifest.TensorLayout.Nhwc ? Imaging.TensorLayout.NHWC : Imaging.TensorLayout.NCHW,
            ChannelOrder = input.Channels switch
            {
                Onnx.Manifest.ChannelOrder.Bgr => Imaging.ChannelOrder.BGR,
                Onnx.Manifest.ChannelOrder.Gray => Imaging.ChannelOrder.GRAY,
                _ => Imaging.ChannelOrder.RGB,
            },
            Scale = input.Scale,
            Mean = [.. input.Mean],
            Std = [.. input.Std],
            FundusCrop = input.FundusCrop,
            ResizeMode = input.Resize == Onnx.Manifest.ResizeMode.Letterbox ? Imaging.ResizeMode.Letterbox : Imaging.ResizeMode.Stretch,
            Window = input.Window is { } w ? new IntensityWindow(w.Center, w.Width) : null,
        };
    }

    public void Dispose() => Network.Dispose();
}
