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
            network.Manifest.Input.FieldOfView);
    }

    public ExplainableModel Network { get; }
    public ImageLoader Loader { get; }
    public ModelHead Head => Network.Head;

    /// <summary>The input layout gradient methods need, and black and white pixels after normalisation (IG's default baseline, the input range).</summary>
    public InputGeometry Geometry => GeometryOf(Network.Manifest);

    /// <summary>The run's methods with its options, resolved once per distinct choice.</summary>
    public IReadOnlyList<IExplanationMethod> Methods(IReadOnlyList<string> names, IReadOnlyDictionary<string, string>? options)
    {
        var key = string.Join(",", names) + "|" + string.Join(",", (options ?? new Dictionary<string, string>()).OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"));
        var methods = _methods.GetOrAdd(key, _ => MethodRegistry.Resolve(string.Join(",", names), new MethodOptions(options)));
        // Gradient methods need the backward graph: build it now so an op it cannot
        // differentiate is one clear error before any image is touched.
        foreach (var rule in methods.SelectMany(m => m.GradientRules).Distinct()) Network.Gradients.Prepare(rule);
        if (methods.Any(m => m.NeedsClassResponses))
            (Network.ClassResponses ?? throw new ModelLoadException($"model {Network.Manifest.Name}: CLEAR needs a gap-linear head or outputs.classMaps")).Prepare();
        return methods;
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
        };
    }

    public void Dispose() => Network.Dispose();
}
