using System.CommandLine;

namespace BatchXai.Cli.Commands;

/// <summary>
/// The method options of <c>batchxai run</c>, one line each: a flag <c>--name</c> whose text travels
/// in RunSettings.MethodOptions to the methods, which parse and check it (a bad value is an
/// error naming the flag before any work is queued).
/// </summary>
public static class MethodFlags
{
    private static readonly (string Name, string Description)[] All =
    [
        ("ig-steps", "ig: interpolation steps (trapezoid: steps+1 points; gauss-legendre: steps nodes) (default 32)"),
        ("ig-rule", "ig, blurig: quadrature, trapezoid or gauss-legendre (default: trapezoid for ig, gauss-legendre for blurig)"),
        ("ig-baseline", "ig, guidedig: baseline, black (default), zeros, blur or noise"),
        ("blur-sigma", "blurig, and the blur baselines: largest Gaussian sigma in input pixels (default 50)"),
        ("blurig-steps", "blurig: steps (quadrature nodes) along the blur path (default 64)"),
        ("guidedig-steps", "guidedig: steps (default 200)"),
        ("guidedig-fraction", "guidedig: fraction of features moved per step (default 0.25)"),
        ("guidedig-max-dist", "guidedig: how far a feature's progress may stray from the step's (default 0.02)"),
        ("smoothgrad-samples", "smoothgrad: noisy copies per image (default 50)"),
        ("smoothgrad-sigma", "smoothgrad: noise sigma as a fraction of the input range (default 0.15)"),
        ("occlusion-patch", "occlusion: square patch side in input pixels (default 16)"),
        ("occlusion-stride", "occlusion: patch step in input pixels (default 8)"),
        ("occlusion-baseline", "occlusion: what the patch shows, black (default), zeros, blur or noise"),
        ("lime-samples", "lime: perturbed copies per image, the first the image itself (default 256)"),
        ("lime-kernel-width", "lime: width of the exponential kernel on cosine distance (default 0.25)"),
        ("kernelshap-samples", "kernelshap: coalitions per image besides the two ends; all are enumerated when 2^M - 2 fit (default 256)"),
        ("superpixels", "lime, kernelshap: about how many SLIC superpixels (default 50)"),
        ("superpixel-compactness", "lime, kernelshap: SLIC compactness, colours on a 0-100 scale (default 10)"),
        ("superpixel-fill", "lime, kernelshap: what a switched-off superpixel shows, black (default), zeros, blur or noise"),
        ("xrai-dilation", "xrai: disk radius each Felzenszwalb segment is dilated by, in pixels (default 5)"),
        ("xrai-min-segment", "xrai: Felzenszwalb's minimum segment size in pixels (default 150)"),
        ("ig-tolerance", "ig: refine each image's path (doubling its trapezoid steps) until |completeness delta| <= this share of |S_c(x) - S_c(x')| (default 0: fixed --ig-steps)"),
        ("ig-max-steps", "ig with --ig-tolerance: step cap (default 1024)"),
        ("metrics", "per-image metrics of every method's maps: deletion, insertion, road, pointing, randomization (comma-separated; default none)"),
        ("sanity-per-class", "randomization: images per target class sampled from each checked batch (default 2)"),
        ("sanity-batches", "randomization: batches checked, the first N (default 1)"),
        ("sanity-steps", "randomization: cascade points below the logits layer, evenly spaced down to every layer (default 4)"),
        ("metric-steps", "deletion, insertion: perturbation steps K (K+1 points per curve) (default 20)"),
        ("pointing-tolerance", "pointing: how far (input pixels) the map's maximum may lie from the mask (default 15)"),
        ("class-selection", "images in each class's views, ROI table, distributions and audit: correct (label = prediction = class; default with labels), predicted (default without labels) or label"),
        ("window", "DICOM grayscale: display window 'center,width' over modality values, e.g. -600,1500 for lung CT (default: the file's own, else min-max)"),
        ("overlay-size", "long side in pixels of the overlay PNGs, drawn on the original image (fundus: the cropped photo; DICOM: the windowed frame) (default 512)"),
        ("frame", "DICOM: which frame of multi-frame files, zero-based (default 0)"),
    ];

    public static IReadOnlyList<Option<string?>> Create() =>
        All.Select(f => new Option<string?>("--" + f.Name) { Description = f.Description }).ToList();

    /// <summary>The options the user set, by name without dashes; unset ones are left to the methods' defaults.</summary>
    public static Dictionary<string, string> Values(ParseResult parse, IEnumerable<Option<string?>> options) =>
        options.Select(o => (Name: o.Name.TrimStart('-'), Value: parse.GetValue(o))).Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!);
}
