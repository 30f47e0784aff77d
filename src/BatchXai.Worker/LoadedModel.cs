using System.Collections.Concurrent;
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
        Loader = new ImageLoader(new ImagePreprocessor(PreprocessSpecOf(network.Manifest)), network.SampleSize, options.DecodeParallelism);
    }

    public ExplainableModel Network { get; }
    public ImageLoader Loader { get; }
    public ModelHead Head => Network.Head;

    public IReadOnlyList<IExplanationMethod> Methods(IReadOnlyList<string> names) =>
        _methods.GetOrAdd(string.Join(',', names), MethodRegistry.Resolve);

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
