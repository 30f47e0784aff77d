using BatchXai.Contracts;
using BatchXai.Core;
using BatchXai.Core.Audit.Causal;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// The audit's causal check's view of a run's model (issue 13): the model through the worker's
/// <see cref="ModelCache"/> (fetched and SHA-256-checked as for a batch, loaded once per process and
/// shared with the worker in an embedded host), its images through the same loader and preprocessing.
/// </summary>
public sealed class ModelProbes(ModelCache models, IObjectStoreFactory stores) : IModelProbeSource
{
    public async Task<IModelProbe> OpenAsync(RunSettings settings, CancellationToken ct)
    {
        var model = await models.GetAsync(settings, ct);
        return new Probe(model, stores.Open(settings.DatasetUri), InputOptions.Of(settings.MethodOptions));
    }

    private sealed class Probe(LoadedModel model, IObjectStore dataset, InputOptions input) : IModelProbe
    {
        public InputGeometry Geometry => model.Geometry;
        public IScoreEngine Scores => model.Network;
        public int Classes => model.Head.Classes;
        public bool MultiLabel => model.Head.MultiLabel;

        public async Task<IReadOnlyList<(string Key, float[] Input)>> LoadAsync(IReadOnlyList<string> imageKeys, CancellationToken ct)
        {
            var batch = await model.Loader.LoadAsync(dataset, [.. imageKeys.Select(k => new ImageRef(k, null))], input, ct);
            int size = model.Network.SampleSize;
            return [.. batch.Images.Select((image, j) => (image.Key, batch.Tensor[(j * size)..((j + 1) * size)]))];
        }

        public void Dispose() => dataset.Dispose();
    }
}
