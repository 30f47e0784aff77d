using BatchXai.Distributed.Configuration;
using BatchXai.Onnx.Runtime;
using BatchXai.Worker;
using Microsoft.Extensions.Configuration;

namespace BatchXai.Distributed.Worker;

/// <summary>
/// A worker's settings: WORKER_PORT (/health), WORKER_PROVIDER (auto, cpu or cuda; auto takes
/// CUDA when its provider and the CUDA 13 / cuDNN 9 libraries load), WORKER_THREADS (intra-op, 0 = ORT's
/// choice), WORKER_CONCURRENCY (batches at once), WORKER_PREFETCH (messages fetched ahead),
/// WORKER_MAX_INFERENCE_BATCH (images per model call), WORKER_DECODE_PARALLELISM, WORKER_READ_PARALLELISM (a batch's images
/// fetched at once), WORKER_MODEL_CACHE_MB
/// (disk kept for models fetched from object storage, under BATCHXAI_CACHE_DIR/models).
/// </summary>
public sealed record WorkerSettings(int Port, ProviderRequest Provider, WorkerOptions Options)
{
    public const int DefaultPort = 8081;

    public static WorkerSettings From(IConfiguration config)
    {
        var provider = ProviderChoice.Parse(config.Text("WORKER_PROVIDER"), "WORKER_PROVIDER");
        int concurrency = config.IntIn("WORKER_CONCURRENCY", 1, 1, 64);
        var options = new WorkerOptions
        {
            ConcurrentBatches = concurrency,
            PrefetchCount = config.IntIn("WORKER_PREFETCH", concurrency * 2, 1, 1000),
            MaxInferenceBatch = config.IntIn("WORKER_MAX_INFERENCE_BATCH", 32, 1, 1024),
            DecodeParallelism = config.IntIn("WORKER_DECODE_PARALLELISM", Math.Max(1, Environment.ProcessorCount), 1, 256),
            ReadParallelism = config.IntIn("WORKER_READ_PARALLELISM", new WorkerOptions().ReadParallelism, 1, 256),
            Session = new OrtSessionOptions { IntraOpThreads = config.IntIn("WORKER_THREADS", 0, 0, 1024) },
            ModelCacheBytes = (long)config.IntIn("WORKER_MODEL_CACHE_MB", (int)(Storage.Models.ModelFileCache.DefaultMaxBytes >> 20), 1, int.MaxValue) << 20,
        };
        return new WorkerSettings(config.IntIn("WORKER_PORT", DefaultPort, 0, 65535), provider, options);
    }

    /// <summary>The provider to ask ONNX Runtime for, and why (for the worker's start line).</summary>
    public (OrtExecutionProvider Provider, string Why) ChooseProvider(OrtRuntime runtime) => ProviderChoice.Resolve(Provider, runtime);
}
