using BatchXai.Contracts;
using BatchXai.Core.Audit;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;
using BatchXai.Worker;

namespace BatchXai.Tests.Pipeline;

/// <summary>
/// A batch's reads overlap each other and the decoding (WorkerOptions.ReadParallelism), whatever the
/// decode parallelism, and the batch comes out in the message's order either way.
/// </summary>
public class ImageLoaderReadsTests : IDisposable
{
    private const int Images = 12, Side = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("batchxai-reads-").FullName;
    private readonly List<byte[]> _pixels = [];

    public ImageLoaderReadsTests()
    {
        var random = new Random(3);
        for (int i = 0; i < Images; i++)
        {
            var pixels = new byte[Side * Side * 3];
            random.NextBytes(pixels);
            _pixels.Add(pixels);
            File.WriteAllBytes(Path.Combine(_dir, $"{i:D2}.png"), PngEncoder.Encode(new RgbImage(Side, Side, pixels)));
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(6, 1, 6)]
    [InlineData(2, 2, 2)]
    public async Task Reads_in_flight_follow_the_read_parallelism_and_the_batch_keeps_its_order(int reads, int decodes, int expectedInFlight)
    {
        using var store = new SlowStore(new LocalFolderStore(_dir));
        var refs = Enumerable.Range(0, Images).Select(i => new ImageRef($"{i:D2}.png", i % 2)).ToList();
        var spec = new PreprocessSpec { Height = Side, Width = Side };
        var batch = await new ImageLoader(new ImagePreprocessor(spec), spec.SampleLength, decodes, FieldOfViewMode.Foreground, reads)
            .LoadAsync(store, refs, CancellationToken.None);

        Assert.Equal(expectedInFlight, store.MostInFlight);
        Assert.Equal(refs.Select(r => r.Key), batch.Images.Select(r => r.Key));
        // Each sample of the tensor is its own image's pixels (PNG is lossless; default spec: RGB / 255, NCHW), in the message's order.
        for (int i = 0; i < Images; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(_pixels[i][c] / 255f, batch.Tensor[i * spec.SampleLength + c * Side * Side], 1e-6f);
    }

    /// <summary>A folder store whose reads take 40 ms, as an S3 round trip does, counting how many are in flight at once.</summary>
    private sealed class SlowStore(LocalFolderStore inner) : IObjectStore
    {
        private int _inFlight;
        public int MostInFlight;

        public async Task<byte[]> ReadAsync(string key, CancellationToken ct = default)
        {
            int now = Interlocked.Increment(ref _inFlight);
            lock (this) MostInFlight = Math.Max(MostInFlight, now);
            try
            {
                await Task.Delay(40, ct);
                return await inner.ReadAsync(key, ct);
            }
            finally { Interlocked.Decrement(ref _inFlight); }
        }

        public string UriOf(string key) => inner.UriOf(key);
        public Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) => inner.WriteAsync(key, data, ct);
        public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => inner.ExistsAsync(key, ct);
        public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct = default) => inner.ListAsync(prefix, ct);
        public void Dispose() => inner.Dispose();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
