using BatchXai.Onnx.Runtime;

namespace BatchXai.Worker;

/// <summary>How a worker uses its machine.</summary>
public sealed record WorkerOptions
{
    /// <summary>Images decoded at once within a batch.</summary>
    public int DecodeParallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Images of a batch fetched at once (a remote store's round trips overlap each other and the decoding).</summary>
    public int ReadParallelism { get; init; } = 8;

    /// <summary>Images whose maps, overlays and rows are written at once (a remote store's round trips overlap).</summary>
    public int OutputParallelism { get; init; } = 8;

    /// <summary>Batches a worker process explains at once (competing consumers within one process).</summary>
    public int ConcurrentBatches { get; init; } = 1;

    /// <summary>Messages the transport fetches ahead of the ones being explained (0: the transport's default).</summary>
    public int PrefetchCount { get; init; }

    /// <summary>ONNX Runtime session settings: threads, execution provider (CUDA with CPU fallback).</summary>
    public OrtSessionOptions Session { get; init; } = new();

    /// <summary>Largest number of images sent through the model in one Run call.</summary>
    public int MaxInferenceBatch { get; init; } = 32;

    /// <summary>Bytes of models fetched from object stores kept on local disk (least recently used ones go beyond it).</summary>
    public long ModelCacheBytes { get; init; } = Storage.Models.ModelFileCache.DefaultMaxBytes;
}
