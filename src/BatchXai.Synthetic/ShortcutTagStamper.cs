using BatchXai.Imaging;
using BatchXai.Synthetic.Rendering;

namespace BatchXai.Synthetic;

/// <summary>
/// The planted Clever Hans artefact: white "G&lt;grade&gt;" text in the top-left corner, on the black
/// surround where no anatomy is, showing the true grade with probability <c>fidelity</c> and a
/// different grade otherwise. A model that reads it can score well while ignoring the retina,
/// which is exactly what the artefact audit must catch.
/// </summary>
internal static class ShortcutTagStamper
{
    /// <summary>Glyph block size at the 320-px reference: 7 rows × 3 px = 21 px tall text.</summary>
    private const double ReferenceScale = 3;
    private const double ReferenceMargin = 6;

    public static ShortcutTag Stamp(RgbImage image, RetinaGeometry g, int trueGrade, double fidelity, Random rng)
    {
        int shown = rng.NextDouble() < fidelity ? trueGrade : OtherGrade(trueGrade, rng);
        string text = $"G{shown}";
        int scale = Math.Max(1, (int)Math.Round(ReferenceScale * g.Scale));
        int margin = Math.Max(1, (int)Math.Round(ReferenceMargin * g.Scale));
        var (w, h) = BitmapFont5x7.Measure(text, scale);
        var box = new PixelBox(margin, margin, w, h);
        if (g.InsideFov(box.X + box.Width, box.Y + box.Height))
            throw new InvalidOperationException($"tag box {box} would overlap the field of view of a {g.Size}px image");
        BitmapFont5x7.Draw(image, text, box.X, box.Y, scale, 255, 255, 255);
        return new ShortcutTag(text, shown, box);
    }

    private static int OtherGrade(int trueGrade, Random rng)
    {
        int g = rng.Next(DrGrades.Count - 1);
        return g >= trueGrade ? g + 1 : g;
    }
}
