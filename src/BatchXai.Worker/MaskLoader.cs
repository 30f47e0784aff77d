using BatchXai.Contracts;
using BatchXai.Imaging;
using BatchXai.Storage.Objects;

namespace BatchXai.Worker;

/// <summary>
/// Ground-truth masks for the mask metrics (pointing game, mask energy, ROI IoU): the mask the label
/// file's <c>mask</c> column names for the image (<see cref="ImageRef.Mask"/>), or else, for an image
/// <c>dir/name.ext</c>, <c>masks/dir/name.png</c> or <c>masks/name.png</c> in the dataset
/// (the synthetic datasets' layout; .png, .tif, .tiff, .jpg and .jpeg are looked for), any non-zero
/// pixel being inside. The mask is brought to model-input size through the same crop window the
/// image's preprocessing took (scaled when the photo was decoded at reduced size) and thresholded at
/// half. An image without a mask gets null; an unreadable mask is that image's missing mask, not a failure.
/// </summary>
public static class MaskLoader
{
    public const string Folder = ImageRef.MasksFolder;
    private static readonly string[] Extensions = [".png", ".tif", ".tiff", ".jpg", ".jpeg"];

    public static IEnumerable<string> CandidateKeys(string imageKey)
    {
        var stem = ResultKeys.StemOf(imageKey);
        var stems = new List<string> { stem };
        int slash = stem.IndexOf('/');
        if (slash >= 0) stems.Add(stem[(stem.LastIndexOf('/') + 1)..]);
        return stems.Distinct().SelectMany(s => Extensions.Select(e => $"{Folder}/{s}{e}"));
    }

    public static async Task<bool[]?> LoadAsync(IObjectStore dataset, ImageRef image, PreparedImage prepared, CancellationToken ct)
    {
        foreach (var key in image.Mask is { } named ? [named] : CandidateKeys(image.Key))
        {
            if (!await dataset.ExistsAsync(key, ct)) continue;
            try
            {
                return AtInputSize(ImageDecoder.Decode(await dataset.ReadAsync(key, ct)), prepared);
            }
            catch (ImageDecodeException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>The mask (any non-zero channel = inside) resampled through the image's crop window to its model-input size.</summary>
    public static bool[] AtInputSize(RgbImage mask, PreparedImage prepared)
    {
        var binary = new RgbImage(mask.Width, mask.Height);
        for (int p = 0; p < mask.Width * mask.Height; p++)
            if (mask.Pixels[3 * p] != 0 || mask.Pixels[3 * p + 1] != 0 || mask.Pixels[3 * p + 2] != 0)
                binary.Pixels[3 * p] = binary.Pixels[3 * p + 1] = binary.Pixels[3 * p + 2] = 255;
        double sx = (double)mask.Width / prepared.SourceWidth, sy = (double)mask.Height / prepared.SourceHeight;
        var r = prepared.SourceRegion;
        var window = new PixelRect((int)Math.Round(r.X * sx), (int)Math.Round(r.Y * sy), Math.Max(1, (int)Math.Round(r.Width * sx)), Math.Max(1, (int)Math.Round(r.Height * sy)));
        int width = prepared.Image.Width, height = prepared.Image.Height;
        var resized = Resampler.Resize(binary, window, width, height);
        var inside = new bool[width * height];
        for (int p = 0; p < inside.Length; p++) inside[p] = resized.Pixels[3 * p] >= 128;
        return inside;
    }
}
