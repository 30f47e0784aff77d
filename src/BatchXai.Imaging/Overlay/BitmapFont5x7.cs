namespace BatchXai.Imaging;

/// <summary>
/// A tiny built-in 5×7 bitmap font (digits, capital letters and a little punctuation) for text
/// in images without any font library: the synthetic data's burned-in grade tags, and legends.
/// Glyphs are drawn as blocks of <c>scale</c>×<c>scale</c> pixels with one blank column between
/// characters. The digits and 'G' are part of the synthetic dataset format (tags): keep them.
/// </summary>
public static class BitmapFont5x7
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;

    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['0'] = [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ['1'] = ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['2'] = [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ['3'] = ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ['4'] = ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ['5'] = ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ['6'] = ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ['7'] = ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        ['8'] = [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        ['9'] = [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        ['G'] = [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
        ['A'] = [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['B'] = ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        ['C'] = [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
        ['D'] = ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
        ['E'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
        ['F'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
        ['H'] = ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['I'] = [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['J'] = ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
        ['K'] = ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
        ['L'] = ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
        ['M'] = ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
        ['N'] = ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
        ['O'] = [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['P'] = ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        ['Q'] = [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
        ['R'] = ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
        ['S'] = [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
        ['T'] = ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['U'] = ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['V'] = ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
        ['W'] = ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
        ['X'] = ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
        ['Y'] = ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['Z'] = ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
        [' '] = ["     ", "     ", "     ", "     ", "     ", "     ", "     "],
        ['-'] = ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        ['_'] = ["     ", "     ", "     ", "     ", "     ", "     ", "#####"],
        ['.'] = ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        [':'] = ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ['+'] = ["     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "],
        ['('] = ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
        [')'] = [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
        ['?'] = [" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "],
    };

    public static IReadOnlyCollection<char> Characters => Glyphs.Keys;

    /// <summary>Whether the glyph of <paramref name="c"/> has ink at (col, row), 0-based from its top-left.</summary>
    public static bool IsInk(char c, int col, int row)
    {
        if (!Glyphs.TryGetValue(c, out var rows))
            throw new ArgumentException($"character '{c}' is not in the 5x7 font (it has: {string.Concat(Glyphs.Keys)})", nameof(c));
        return col is >= 0 and < GlyphWidth && row is >= 0 and < GlyphHeight && rows[row][col] == '#';
    }

    /// <summary>
    /// <paramref name="text"/> in the font's characters: letters upper-cased, anything else the
    /// font lacks as '?', so any label (a class name from a manifest) can be drawn.
    /// </summary>
    public static string Printable(string text) =>
        new(text.ToUpperInvariant().Select(c => Glyphs.ContainsKey(c) ? c : '?').ToArray());

    /// <summary>Pixel size of <paramref name="text"/> rendered at <paramref name="scale"/>.</summary>
    public static (int Width, int Height) Measure(string text, int scale) =>
        (text.Length == 0 ? 0 : scale * (text.Length * (GlyphWidth + 1) - 1), scale * GlyphHeight);

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); ink outside the image is clipped.</summary>
    public static void Draw(RgbImage image, string text, int x, int y, int scale, byte r, byte g, byte b)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        for (int i = 0; i < text.Length; i++)
        {
            int ox = x + i * (GlyphWidth + 1) * scale;
            for (int row = 0; row < GlyphHeight; row++)
                for (int col = 0; col < GlyphWidth; col++)
                {
                    if (!IsInk(text[i], col, row)) continue;
                    for (int py = y + row * scale; py < y + (row + 1) * scale; py++)
                        for (int px = ox + col * scale; px < ox + (col + 1) * scale; px++)
                            if (px >= 0 && py >= 0 && px < image.Width && py < image.Height)
                                image.Set(px, py, r, g, b);
                }
        }
    }
}
