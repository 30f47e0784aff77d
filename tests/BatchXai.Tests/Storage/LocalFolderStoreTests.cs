using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Storage;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly TempFolder _folder = new("store");
    private readonly LocalFolderStore _store;

    public LocalFolderStoreTests() => _store = new LocalFolderStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in _store.ListAsync(prefix)) keys.Add(key);
        return keys;
    }

    [Fact]
    public async Task Written_bytes_read_back_and_lie_in_the_file_the_key_names()
    {
        var data = RandomBytes(300_000, 1);

        await _store.WriteAsync("run/crm/train/10_left.npy", data);

        Assert.Equal(data, await _store.ReadAsync("run/crm/train/10_left.npy"));
        Assert.Equal(data, File.ReadAllBytes(_folder.Combine("run/crm/train/10_left.npy")));
        Assert.True(await _store.ExistsAsync("run/crm/train/10_left.npy"));
        Assert.False(await _store.ExistsAsync("run/crm/train/10_right.npy"));
    }

    [Fact]
    public async Task An_empty_object_round_trips()
    {
        await _store.WriteAsync("empty.bin", ReadOnlyMemory<byte>.Empty);

        Assert.Empty(await _store.ReadAsync("empty.bin"));
        Assert.True(await _store.ExistsAsync("empty.bin"));
    }

    [Fact]
    public async Task Overwriting_with_shorter_content_leaves_only_the_new_content()
    {
        await _store.WriteAsync("a.bin", RandomBytes(10_000, 2));
        var second = RandomBytes(17, 3);

        await _store.WriteAsync("a.bin", second);

        Assert.Equal(second, await _store.ReadAsync("a.bin"));
    }

    [Fact]
    public async Task Writes_leave_no_temporary_files()
    {
        for (int i = 0; i < 20; i++) await _store.WriteAsync($"d{i % 3}/o{i}.bin", RandomBytes(1000 + i, i));
        await _store.WriteAsync("d0/o0.bin", RandomBytes(5, 99));

        var expected = Enumerable.Range(0, 20).Select(i => $"d{i % 3}/o{i}.bin").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, _folder.Files());
    }

    [Fact]
    public async Task A_cancelled_write_leaves_neither_the_object_nor_a_temporary_file()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync("d/a.bin", RandomBytes(100, 4), cancelled.Token));

        Assert.Empty(_folder.Files());
    }

    [Fact]
    public async Task Concurrent_writers_of_one_key_leave_one_whole_version_and_no_temporary_files()
    {
        var versions = Enumerable.Range(0, 16).Select(i => RandomBytes(200_000, 100 + i)).ToList();

        await Task.WhenAll(versions.Select(v => Task.Run(() => _store.WriteAsync("shared/map.npy", v))));

        var stored = await _store.ReadAsync("shared/map.npy");
        Assert.Contains(versions, v => v.AsSpan().SequenceEqual(stored));
        Assert.Equal(["shared/map.npy"], _folder.Files());
    }

    [Fact]
    public async Task Readers_never_see_a_partly_written_object()
    {
        var a = RandomBytes(1_000_000, 7);
        var b = RandomBytes(1_000_000, 8);
        await _store.WriteAsync("x.bin", a);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < 30; i++) await _store.WriteAsync("x.bin", i % 2 == 0 ? b : a);
            stop.Cancel();
        });
        int reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var seen = await _store.ReadAsync("x.bin");
            Assert.True(seen.AsSpan().SequenceEqual(a) || seen.AsSpan().SequenceEqual(b), $"read {reads} saw a mixed or partial object of {seen.Length} bytes");
            reads++;
        }
        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task Listing_is_ordinal_sorted_prefix_filtered_and_slash_separated()
    {
        string[] keys = ["b.png", "a/b.png", "B.png", "a_b.png", "ab/c.png", "a/a/z.png", "a.png"];
        foreach (var key in keys) await _store.WriteAsync(key, new byte[] { 1 });

        // Ordinal order by code point: 'B' (66) < '_' (95) < 'a' (97); '.' (46) < '/' (47) < '_' (95) < 'b' (98).
        Assert.Equal(["B.png", "a.png", "a/a/z.png", "a/b.png", "a_b.png", "ab/c.png", "b.png"], await ListAsync(""));
        Assert.Equal(["a/a/z.png", "a/b.png"], await ListAsync("a/"));
        Assert.Equal(["a.png", "a/a/z.png", "a/b.png", "a_b.png", "ab/c.png"], await ListAsync("a"));
        Assert.Empty(await ListAsync("zzz"));
    }

    [Fact]
    public async Task Listing_a_root_that_does_not_exist_is_empty()
    {
        var store = new LocalFolderStore(_folder.Combine("not-created"));

        var keys = new List<string>();
        await foreach (var key in store.ListAsync("")) keys.Add(key);

        Assert.Empty(keys);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("ABSOLUTE")]
    public async Task Keys_that_leave_the_root_are_refused(string key)
    {
        // The store sits one level down so that an escaping key would land in the temp folder.
        var store = new LocalFolderStore(_folder.Combine("root"));
        if (key == "ABSOLUTE") key = _folder.Combine("x");

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(key, new byte[] { 1 }));
        Assert.Contains(key, e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(key));
        Assert.Throws<ArgumentException>(() => store.UriOf(key));
        Assert.False(File.Exists(_folder.Combine("x")));
    }

    [Fact]
    public async Task A_key_reaching_a_sibling_folder_whose_name_starts_with_the_root_name_is_refused()
    {
        // Root ".../store", key "../store-evil/x" → ".../store-evil/x": same string prefix, other folder.
        var root = _folder.Combine("store");
        var store = new LocalFolderStore(root);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("../store-evil/x.bin", new byte[] { 1 }));

        Assert.False(Directory.Exists(_folder.Combine("store-evil")));
    }

    [Fact]
    public async Task Keys_with_dot_segments_that_stay_inside_the_root_are_allowed()
    {
        await _store.WriteAsync("a/./b/../c.bin", new byte[] { 42 });

        Assert.Equal(new byte[] { 42 }, await _store.ReadAsync("a/c.bin"));
    }

    [Fact]
    public async Task Reading_a_missing_key_throws_file_not_found_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => _store.ReadAsync("train/missing_42.jpeg"));

        Assert.Contains("train/missing_42.jpeg", e.Message);
    }

    [Fact]
    public async Task UriOf_is_a_file_uri_of_the_object_path()
    {
        await _store.WriteAsync("dir with space/a#1.png", new byte[] { 5 });

        var uri = new Uri(_store.UriOf("dir with space/a#1.png"));

        Assert.Equal("file", uri.Scheme);
        Assert.Equal(new byte[] { 5 }, File.ReadAllBytes(uri.LocalPath));
    }

    [Fact]
    public void ObjectStores_opens_paths_and_file_uris_and_refuses_other_schemes()
    {
        Assert.Equal(_folder.Path, ((LocalFolderStore)ObjectStoreFactory.FromEnvironment.Open(_folder.Path)).Root);
        Assert.Equal(_folder.Path, ((LocalFolderStore)ObjectStoreFactory.FromEnvironment.Open(new Uri(_folder.Path).AbsoluteUri)).Root);
        var e = Assert.Throws<NotSupportedException>(() => ObjectStoreFactory.FromEnvironment.Open("gs://bucket/datasets/aptos"));
        Assert.Contains("gs://bucket/datasets/aptos", e.Message);
    }
}
