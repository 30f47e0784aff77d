using System.Security.Cryptography;
using System.Text;

namespace BatchXai.Synthetic;

/// <summary>
/// Derives everything per-image from (seed, index) alone, which is what makes generation
/// parallel and reproducible: the image's own <see cref="Random"/> seed and its APTOS-style id.
/// </summary>
public static class SampleIdentity
{
    /// <summary>APTOS 2019 ids are 12 lowercase hex digits; ours are the first 12 of SHA-256("batchxai-sample:{seed}:{index}").</summary>
    public static string IdFor(int seed, int index)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes($"batchxai-sample:{seed}:{index}"), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }

    /// <summary>
    /// Seed of the image's private <see cref="Random"/>: SplitMix64 of the packed (seed, index), so
    /// neighbouring indices or seeds give unrelated streams. (Seeded System.Random is a fixed,
    /// documented algorithm, stable across platforms and runtime versions.)
    /// </summary>
    public static int RandomSeedFor(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32) | (uint)index;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
